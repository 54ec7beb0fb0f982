// Package hugepage allocates the large float32 buffers of training (weights, gradients,
// activations, optimiser state) so that the kernel can back them with transparent huge
// pages.
//
// # Why
//
// The first write to a page of fresh memory traps into the kernel, which zeroes and maps
// the page: one trap per 4 KiB. In a virtual machine that shadows the guest's page tables
// each trap is dear: on the development VM (AMD EPYC, Zen 5) 64 MiB first written in
// 4 KiB steps took 291 ms, about 18 µs a page, and 87 ms on 2 MiB pages. The first epoch
// of `descent train --model mlp` (784-1000-1000-10, Adam) took 6,572 such faults between
// its first step and its first evaluation, counted with `perf record -e page-faults`;
// with the advice below it takes 2,261. With transparent huge pages in "madvise" mode,
// the default of many distributions, the kernel uses 2 MiB pages only for memory that
// asked for them with madvise(MADV_HUGEPAGE), which the Go runtime does not do for its
// heap. Huge pages also take 512 times fewer TLB entries when a kernel sweeps a large
// buffer.
//
// # Method
//
// [Make] (and [Float32s]) makes the slice with make, as usual, so that it stays in the Go
// heap and the garbage collector owns it. A slice of 2 MiB or more is then advised
// MADV_HUGEPAGE over the aligned 2 MiB pages it covers at least half of; a page it only
// half-covers is shared with the heap's neighbouring objects, heap memory all the same.
// The kernel backs such a page with a huge page at its first fault if no 4 KiB page of it
// is present yet, so a buffer's first touch costs a few traps instead of hundreds. Advice
// is only advice: on a kernel without transparent huge pages, with them set to "never",
// or on another operating system, nothing changes but the page size. Smaller slices are
// left alone: each advice splits the heap's mapping into more areas, and it pays only
// where huge pages fit.
//
// The peak resident memory of `descent train --model mlp --epochs 1` was 170,276 KB with
// the advice against 170,292 KB without it.
package hugepage
