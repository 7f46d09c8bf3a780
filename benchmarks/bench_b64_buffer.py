"""asv: base64 chunk buffering at every tier, stream size, call count and thread count."""

from benchmarks._suite import OperationBenchmark, params, prepare

PARAMS, NAMES = params("b64_buffer")


class B64Buffer(OperationBenchmark):
    op = "b64_buffer"
    params = PARAMS
    param_names = NAMES

    def setup(self, variant: str, tier: str, size: str) -> None:
        # Timed runs do not count bytearray growth (it costs the Python tiers time) ...
        self.run = prepare(self.op, variant, tier, size, count_reallocations=False)
        self.run()
        # ... a separate, untimed pass of the same stream does.
        self.counted = prepare(self.op, variant, tier, size, count_reallocations=True)

    def time_b64_buffer(self, variant: str, tier: str, size: str) -> None:
        self.run()

    def track_reallocations(self, variant: str, tier: str, size: str) -> int:
        _, reallocations = self.counted()
        return int(reallocations)

    track_reallocations.unit = "reallocations"  # type: ignore[attr-defined]
