package cpu

import (
	"fmt"
	"runtime"
	"strings"
)

// model is read when the program starts.
var model = detectModel()

// Model names this processor: on amd64 its brand string and signature from CPUID, e.g.
// "AMD EPYC (family 26, model 2, stepping 1)"; elsewhere the architecture. Two machines
// with one Model have the same cores (their caches and speeds aside, which a virtual
// machine may change), so that a measurement such as internal/gemm's tuning can be kept
// per Model.
func Model() string { return model }

func detectModel() string {
	b := brand()
	if b == "" {
		return runtime.GOARCH
	}
	if f, m, s, ok := signature(); ok {
		b += fmt.Sprintf(" (family %d, model %d, stepping %d)", f, m, s)
	}
	return b
}

// brandFromCPUID returns the brand string of CPUID leaves 0x80000002-4 without its padding,
// or "" where the CPU has none.
func brandFromCPUID(id cpuidFunc) string {
	if maxExt, _, _, _ := id(0x80000000, 0); maxExt < 0x80000004 {
		return ""
	}
	var b []byte
	for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
		a, bx, c, d := id(leaf, 0)
		for _, r := range []uint32{a, bx, c, d} {
			b = append(b, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
	}
	return strings.Join(strings.Fields(strings.TrimRight(string(b), "\x00")), " ")
}

// signatureFromCPUID decodes family, model and stepping from CPUID leaf 1 as Intel and AMD
// define them: the extended family is added when the family is 15, the extended model
// prepended when the family is 6 or 15 (or more).
func signatureFromCPUID(id cpuidFunc) (family, model, stepping int) {
	a, _, _, _ := id(1, 0)
	family = int(a >> 8 & 0xf)
	model = int(a >> 4 & 0xf)
	stepping = int(a & 0xf)
	if family == 15 {
		family += int(a >> 20 & 0xff)
	}
	if family >= 15 || family == 6 {
		model += int(a>>16&0xf) << 4
	}
	return family, model, stepping
}
