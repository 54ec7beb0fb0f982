package cpu

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestDetectedMatchesOS checks the table against the flags Linux reports in /proc/cpuinfo,
// which come from another reading of CPUID: a feature the kernel reports and the table
// lacks would silently send the kernels to their Go twins.
func TestDetectedMatchesOS(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skipf("/proc/cpuinfo flags are read on linux/amd64 only, not %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	flags := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if key, val, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(key) == "flags" {
			for _, fl := range strings.Fields(val) {
				flags[fl] = true
			}
			break
		}
	}
	if len(flags) == 0 {
		t.Fatal("no flags line in /proc/cpuinfo")
	}
	d := Detected()
	for _, c := range []struct {
		flag string
		has  bool
	}{
		{"avx2", d.AVX2}, {"fma", d.FMA}, {"avx512f", d.AVX512F}, {"avx512dq", d.AVX512DQ},
		{"avx512bw", d.AVX512BW}, {"avx512vbmi", d.AVX512VBMI},
	} {
		if flags[c.flag] != c.has {
			t.Errorf("%s: /proc/cpuinfo says %v, the table %v", c.flag, flags[c.flag], c.has)
		}
	}
	t.Logf("detected %+v; %s=%q; enabled %+v; assembly built: %v", d, Env, Masked(), Enabled(), Assembly)
}

func TestMask(t *testing.T) {
	all := Features{AVX2: true, FMA: true, AVX512F: true, AVX512DQ: true, AVX512BW: true, AVX512VBMI: true, ASIMD: true}
	for _, c := range []struct {
		mask string
		want Features
	}{
		{"", all},
		{"avx2", Features{AVX2: true, FMA: true, ASIMD: true}},
		{"go", Features{}},
	} {
		got, err := Mask(all, c.mask)
		if err != nil || got != c.want {
			t.Errorf("Mask(all, %q) = %+v, %v; want %+v", c.mask, got, err, c.want)
		}
		// A mask never adds a feature.
		if got, _ := Mask(Features{}, c.mask); got != (Features{}) {
			t.Errorf("Mask(none, %q) = %+v, want none", c.mask, got)
		}
	}
	for _, bad := range []string{"avx", "AVX2", "avx512", "noasm"} {
		if _, err := Mask(all, bad); err == nil {
			t.Errorf("Mask accepted %q", bad)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a bad DESCENT_CPU did not panic")
		}
	}()
	newTable(all, "avx")
}

func TestEnabled(t *testing.T) {
	want, err := Mask(Detected(), Masked())
	if err != nil || Enabled() != want {
		t.Errorf("Enabled() = %+v, want %+v (%s=%q, %v)", Enabled(), want, Env, Masked(), err)
	}
	if Masked() != os.Getenv(Env) {
		t.Errorf("Masked() = %q, the environment %q", Masked(), os.Getenv(Env))
	}
}

func TestGoReason(t *testing.T) {
	if r := GoReason(func(Features) bool { return false }); r == "" {
		t.Error("GoReason is empty for features no CPU has")
	}
	r := GoReason(func(Features) bool { return true })
	if (r == "") != Assembly {
		t.Errorf("GoReason = %q for features every CPU has, with Assembly %v", r, Assembly)
	}
}
