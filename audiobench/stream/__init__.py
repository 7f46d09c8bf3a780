"""Real-time streaming: a WebSocket server fed at real-time pace by a load generator.

The batch benchmarks (``b64_buffer``) time decoding alone; a live server's questions — latency per
chunk under load, its tail, how many concurrent calls one core holds — are decided by the event
loop, the framing and the scheduler as much as by the decoder. This package measures them:

* :mod:`~audiobench.stream.protocol` — the media messages (JSON, base64 PCM) and each call's bytes;
* :mod:`~audiobench.stream.sinks` — what the server does with a chunk, per tier;
* :mod:`~audiobench.stream.server` — the asyncio WebSocket server (its own process, one CPU);
* :mod:`~audiobench.stream.load` — the load generator (its own process, the other CPU);
* :mod:`~audiobench.stream.search` — one load step, and the bounded search for the capacity.
"""
