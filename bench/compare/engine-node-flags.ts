/**
 * The V8 flags the engine runs with (`npm start` and bin/dmid.js carry the same; a unit test keeps the
 * three in step), given to every contender alike. A young generation of 64 MiB semi-spaces instead of
 * 16: while a backlog drains, a fetch of about 60,000 records is in flight at once, so most of what a
 * scavenge finds is still alive and gets copied; with 64 MiB, scavenges were about a third as many and
 * took 25–30% less time in all (`--trace-gc`, two runs each), and dmid's throughput rose 10–15%. The ceiling
 * measured the same with and without.
 */
export const ENGINE_NODE_FLAGS = ['--max-semi-space-size=64'] as const;
