import fc from "fast-check";

/**
 * Property tests run from a fixed seed so `npm test` and CI are reproducible: a red run is
 * the same red run on every machine. Explore new cases with FC_SEED=random (or a number);
 * fast-check prints the seed and path of any counterexample, to pin it in a unit test.
 */
const requested = process.env.FC_SEED;
if (requested !== "random") {
  fc.configureGlobal({ seed: requested === undefined ? 20_261_123 : Number(requested) });
}
