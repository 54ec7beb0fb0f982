//go:build noasm || !amd64

package cpu

// Assembly reports whether this build has assembly kernels: amd64 without the noasm tag.
const Assembly = false
