//go:build !noasm

package cpu

// Assembly reports whether this build has assembly kernels: amd64 without the noasm tag.
const Assembly = true
