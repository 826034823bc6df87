// Property and fuzz tests draw from one fixed seed, so a run is reproducible and CI cannot fail
// by chance; set FC_SEED to explore other inputs locally (fast-check prints the seed of any
// counterexample it finds).
import fc from 'fast-check';

fc.configureGlobal({ seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261129 });
