// Package prefetch asks the CPU to bring memory into its caches, without waiting for it:
// a hint that changes no value, only when the memory arrives.
//
// A batch's examples are scattered over a data set larger than the caches (MNIST's 128
// images of a batch span 1,664 cache lines of its 47 MB). Asking for all their lines before
// reading any lets the memory system fetch them at once. Loads of one byte a line do that
// too, but each stays in the processor until its line arrives, so only as many are in
// flight as its load queue holds; a prefetch instruction leaves as soon as it is issued
// (BenchmarkLines: 128 images' lines, one byte each read, 10.2-10.6 µs cold, 3.7-3.9 µs
// prefetched first, AMD EPYC Zen 4).
//
// Asking one batch ahead, while the step before computed, was tried for MNIST and made a
// logreg epoch slower (about 44 ms against 38, six alternating runs): the lines arriving
// compete with the step's own.
//
// On amd64 [Lines] issues PREFETCHT1 (into the L2 cache and those beyond it) for each
// cache line; elsewhere, and with the noasm build tag, it does nothing.
package prefetch
