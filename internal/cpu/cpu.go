// Package cpu is descent's one table of the CPU features that its kernels choose by. Every
// package with assembly (internal/gemm, internal/vec, internal/optimk, internal/bytevec)
// reads [Enabled] once, when the program starts, and report shows it; no other package
// asks golang.org/x/sys/cpu.
//
// # Masking features
//
// The environment variable DESCENT_CPU removes features from the table, so that the
// kernels of a smaller CPU can be run and tested on a larger one:
//
//	DESCENT_CPU=avx2   no AVX-512: the AVX2 kernels run, and the Go twins where a package
//	                   has AVX-512 kernels only
//	DESCENT_CPU=go     no SIMD: every kernel's pure-Go twin runs, as with -tags noasm
//
// Unset or empty, nothing is masked. A mask only removes features; it never adds one the CPU
// lacks. Any other value is a mistake the program cannot run through (a benchmark would
// measure other kernels than asked), so it panics at start-up with the accepted values.
//
// # Caches and model
//
// [CacheSizes] gives the sizes, ways and sharing of the core's data caches, which
// internal/gemm blocks its products by, read from CPUID (Intel's leaf 4, AMD's 0x8000001d
// or its older 0x80000005 and 0x80000006) on amd64 and from the Linux sysfs elsewhere;
// [Model] names the processor, so that a measurement can be kept per model. Both are read
// when the program starts; DESCENT_CPU changes neither.
//
// [Assembly] says whether this build has assembly kernels at all (amd64 without the noasm
// build tag); the kernel tests of each package use it with [Enabled] to know which kernel
// must have run.
package cpu

import (
	"fmt"
	"os"

	xcpu "golang.org/x/sys/cpu"
)

// Env is the environment variable that masks features: "avx2" or "go".
const Env = "DESCENT_CPU"

// Features are the CPU features descent's kernels use. On amd64 a feature is set only when
// the CPU has it and the operating system saves its registers; on other architectures the
// x86 fields are false.
type Features struct {
	AVX2       bool // 256-bit integer and float vectors
	FMA        bool // fused multiply-add (the AVX2 kernels need it with AVX2)
	AVX512F    bool // AVX-512 Foundation: 512-bit vectors, mask registers
	AVX512DQ   bool // AVX-512 doubleword and quadword instructions
	AVX512BW   bool // AVX-512 byte and word instructions
	AVX512VBMI bool // AVX-512 vector byte manipulation (VPERMB, VPERMI2B)
	ASIMD      bool // arm64 Advanced SIMD (NEON); no kernel uses it yet, reports show it
}

// table is fixed when the program starts: the features the CPU reports, and those left
// by the mask of DESCENT_CPU.
var table = newTable(detect(), os.Getenv(Env))

type state struct {
	detected, enabled Features
	mask              string
}

func detect() Features {
	return Features{
		AVX2: xcpu.X86.HasAVX2, FMA: xcpu.X86.HasFMA,
		AVX512F: xcpu.X86.HasAVX512F, AVX512DQ: xcpu.X86.HasAVX512DQ,
		AVX512BW: xcpu.X86.HasAVX512BW, AVX512VBMI: xcpu.X86.HasAVX512VBMI,
		ASIMD: xcpu.ARM64.HasASIMD,
	}
}

func newTable(f Features, mask string) state {
	m, err := Mask(f, mask)
	if err != nil {
		panic(err.Error())
	}
	return state{detected: f, enabled: m, mask: mask}
}

// Mask returns f without the features that the DESCENT_CPU value mask removes: "" keeps
// all, "avx2" removes AVX-512, "go" removes every SIMD feature. Another value is an error.
func Mask(f Features, mask string) (Features, error) {
	switch mask {
	case "":
	case "avx2":
		f.AVX512F, f.AVX512DQ, f.AVX512BW, f.AVX512VBMI = false, false, false, false
	case "go":
		f = Features{}
	default:
		return f, fmt.Errorf("cpu: %s=%q: want avx2 (no AVX-512), go (no SIMD) or nothing", Env, mask)
	}
	return f, nil
}

// Enabled returns the features the kernels may use: those of the CPU, less the ones that
// DESCENT_CPU masks.
func Enabled() Features { return table.enabled }

// Detected returns the features of the CPU, before any mask.
func Detected() Features { return table.detected }

// Masked returns the value of DESCENT_CPU in force when the program started ("" for none).
func Masked() string { return table.mask }

// GoReason says why assembly that needs the features need accepts does not run, or returns
// "" when it runs. The kernel tests of each package log it, and fail when it is "" but the
// package chose its Go twins: a comparison of the twin with itself would prove nothing.
func GoReason(need func(Features) bool) string {
	switch {
	case !Assembly:
		return "this build has no assembly (-tags noasm, or not amd64), by design"
	case need(Enabled()):
		return ""
	case need(Detected()):
		return fmt.Sprintf("%s=%s masks features it needs, by design", Env, Masked())
	}
	return "this CPU lacks features it needs"
}
