"""asv: pipeline at every tier and catalogue size."""

from benchmarks._suite import OperationBenchmark, params

PARAMS, NAMES = params("pipeline")


class Pipeline(OperationBenchmark):
    op = "pipeline"
    params = PARAMS
    param_names = NAMES

    def time_pipeline(self, variant: str, tier: str, size: str) -> None:
        self.run()

    def peakmem_pipeline(self, variant: str, tier: str, size: str) -> None:
        # Peak RSS of the process around one call: shows what allocating tiers (JSON above
        # all) hold at once; includes the interpreter and its imports, equal for every tier.
        self.run()
