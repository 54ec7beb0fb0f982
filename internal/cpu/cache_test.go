package cpu

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// fakeCPUID answers CPUID from a table of (leaf, subleaf) → EAX, EBX, ECX, EDX, and zeros
// for anything else, as a CPU does for a leaf it lacks below its maximum.
func fakeCPUID(t map[[2]uint32][4]uint32) cpuidFunc {
	return func(leaf, sub uint32) (a, b, c, d uint32) {
		r := t[[2]uint32{leaf, sub}]
		return r[0], r[1], r[2], r[3]
	}
}

func TestCachesFromCPUID(t *testing.T) {
	for _, c := range []struct {
		name string
		regs map[[2]uint32][4]uint32
		want Caches
	}{{
		// An Intel Core i7-6700K (Skylake): leaf 4 as its CPUID dumps read.
		name: "intel leaf 4",
		regs: map[[2]uint32][4]uint32{
			{0, 0}:          {0x16, 0x756e6547, 0x6c65746e, 0x49656e69},
			{0x80000000, 0}: {0x80000008},
			{4, 0}:          {0x1c004121, 0x01c0003f, 0x0000003f, 0},
			{4, 1}:          {0x1c004122, 0x01c0003f, 0x0000003f, 0},
			{4, 2}:          {0x1c004143, 0x00c0003f, 0x000003ff, 0},
			{4, 3}:          {0x1c03c163, 0x03c0003f, 0x00001fff, 6},
		},
		want: Caches{
			L1:     Cache{Size: 32 << 10, Ways: 8, Line: 64, SharedBy: 2},
			L2:     Cache{Size: 256 << 10, Ways: 4, Line: 64, SharedBy: 2},
			L3:     Cache{Size: 8 << 20, Ways: 16, Line: 64, SharedBy: 16},
			Source: "cpuid 4",
		},
	}, {
		// An AMD Zen 4 core with topology extensions: leaf 4 is empty, 0x8000001d has
		// the caches (32 KiB L1d, 1 MiB L2, a CCD's 32 MiB L3 shared by 16 threads).
		name: "amd leaf 0x8000001d",
		regs: map[[2]uint32][4]uint32{
			{0, 0}:          {0x10, 0x68747541, 0x444d4163, 0x69746e65},
			{0x80000000, 0}: {0x80000028},
			{0x80000001, 0}: {0, 0, 1 << 22, 0},
			{0x8000001d, 0}: {0x00004121, 0x01c0003f, 0x0000003f, 0},
			{0x8000001d, 1}: {0x00004122, 0x01c0003f, 0x0000003f, 0},
			{0x8000001d, 2}: {0x00004143, 0x01c0003f, 0x000007ff, 2},
			{0x8000001d, 3}: {0x0003c163, 0x03c0003f, 0x00007fff, 1},
			{0x80000005, 0}: {0, 0, 0x20080140, 0x20080140},
			{0x80000006, 0}: {0, 0, 0x04006140, 0x01009140},
		},
		want: Caches{
			L1:     Cache{Size: 32 << 10, Ways: 8, Line: 64, SharedBy: 2},
			L2:     Cache{Size: 1 << 20, Ways: 8, Line: 64, SharedBy: 2},
			L3:     Cache{Size: 32 << 20, Ways: 16, Line: 64, SharedBy: 16},
			Source: "cpuid 0x8000001d",
		},
	}, {
		// A virtual AMD EPYC (Zen 5) without topology extensions: the registers of
		// 0x80000005 and 0x80000006 as read on one (48 KiB L1d of 12 ways, 1 MiB L2 of 8,
		// the socket's 508 MiB L3, its ways deferred to 0x8000001d).
		name: "amd leaves 0x80000005/6",
		regs: map[[2]uint32][4]uint32{
			{0, 0}:          {0xd, 0x68747541, 0x444d4163, 0x69746e65},
			{0x80000000, 0}: {0x80000021},
			{0x80000005, 0}: {0, 0, 0x300c0140, 0x20080140},
			{0x80000006, 0}: {0, 0, 0x04006140, 0x0fe09140},
		},
		want: Caches{
			L1:     Cache{Size: 48 << 10, Ways: 12, Line: 64},
			L2:     Cache{Size: 1 << 20, Ways: 8, Line: 64},
			L3:     Cache{Size: 508 << 20, Line: 64},
			Source: "cpuid 0x80000005/6",
		},
	}} {
		got, ok := cachesFromCPUID(fakeCPUID(c.regs))
		if !ok || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, ok, c.want)
		}
	}
	if _, ok := cachesFromCPUID(fakeCPUID(nil)); ok {
		t.Error("a CPU that reports nothing gave caches")
	}
}

func TestCachesFromSysfs(t *testing.T) {
	dir := t.TempDir()
	for i, e := range []map[string]string{
		{"level": "1", "type": "Data", "size": "48K", "ways_of_associativity": "12", "coherency_line_size": "64", "shared_cpu_list": "0,64"},
		{"level": "1", "type": "Instruction", "size": "32K", "ways_of_associativity": "8", "coherency_line_size": "64", "shared_cpu_list": "0,64"},
		{"level": "2", "type": "Unified", "size": "2048K", "ways_of_associativity": "16", "coherency_line_size": "64", "shared_cpu_list": "0,64"},
		{"level": "3", "type": "Unified", "size": "107520K", "ways_of_associativity": "15", "coherency_line_size": "64", "shared_cpu_list": "0-55,112-167"},
	} {
		d := filepath.Join(dir, "index"+strconv.Itoa(i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for f, v := range e {
			if err := os.WriteFile(filepath.Join(d, f), []byte(v+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := Caches{
		L1:     Cache{Size: 48 << 10, Ways: 12, Line: 64, SharedBy: 2},
		L2:     Cache{Size: 2 << 20, Ways: 16, Line: 64, SharedBy: 2},
		L3:     Cache{Size: 105 << 20, Ways: 15, Line: 64, SharedBy: 112},
		Source: "sysfs",
	}
	if got, ok := cachesFromSysfs(dir); !ok || got != want {
		t.Errorf("cachesFromSysfs = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := cachesFromSysfs(t.TempDir()); ok {
		t.Error("an empty folder gave caches")
	}
}

// TestCachesMatchOS checks this machine's L1 data and L2 sizes against the operating
// system's own reading: the Linux sysfs where it has cache folders, else glibc's getconf
// (which decodes CPUID itself). It skips when neither is there.
func TestCachesMatchOS(t *testing.T) {
	c := CacheSizes()
	t.Logf("caches: L1 %v; L2 %v; L3 %v (from %s); model %s", c.L1, c.L2, c.L3, c.Source, Model())
	if c.L1.Size <= 0 || c.L1.Line <= 0 || c.L2.Size < c.L1.Size {
		t.Fatalf("implausible caches %+v", c)
	}
	if runtime.GOOS != "linux" {
		t.Skip("the OS's reading is checked on Linux only")
	}
	if s, ok := cachesFromSysfs(sysfsCacheDir); ok {
		if s.L1.Size != c.L1.Size || s.L2.Size != c.L2.Size {
			t.Errorf("sysfs: L1 %d, L2 %d bytes; CacheSizes: %d, %d", s.L1.Size, s.L2.Size, c.L1.Size, c.L2.Size)
		}
		return
	}
	getconf := func(name string) int {
		out, err := exec.Command("getconf", name).Output()
		if err != nil {
			t.Skipf("no sysfs cache folders and no getconf: %v", err)
		}
		v, err := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil {
			t.Skipf("getconf %s printed %q", name, out)
		}
		return v
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("getconf reads CPUID on amd64 only")
	}
	if l1, l2 := getconf("LEVEL1_DCACHE_SIZE"), getconf("LEVEL2_CACHE_SIZE"); l1 != c.L1.Size || l2 != c.L2.Size {
		t.Errorf("getconf: L1 %d, L2 %d bytes; CacheSizes: %d, %d", l1, l2, c.L1.Size, c.L2.Size)
	}
}

func TestModel(t *testing.T) {
	regs := map[[2]uint32][4]uint32{
		{0x80000000, 0}: {0x80000008},
		// "Intel(R) Xeon(R) Platinum 8480+" padded with spaces and NULs.
		{0x80000002, 0}: {0x65746e49, 0x2952286c, 0x6f655820, 0x2952286e},
		{0x80000003, 0}: {0x616c5020, 0x756e6974, 0x3438206d, 0x002b3038},
		{0x80000004, 0}: {0, 0, 0, 0},
		// Family 6, model 0x8f (Sapphire Rapids), stepping 8.
		{1, 0}: {0x000806f8},
	}
	if got := brandFromCPUID(fakeCPUID(regs)); got != "Intel(R) Xeon(R) Platinum 8480+" {
		t.Errorf("brand %q", got)
	}
	if f, m, s := signatureFromCPUID(fakeCPUID(regs)); f != 6 || m != 0x8f || s != 8 {
		t.Errorf("signature %d %d %d, want 6 143 8", f, m, s)
	}
	// AMD Zen 5: family 0xf + 0xb = 26, model 0x02.
	if f, m, s := signatureFromCPUID(fakeCPUID(map[[2]uint32][4]uint32{{1, 0}: {0x00b00f21}})); f != 26 || m != 2 || s != 1 {
		t.Errorf("signature %d %d %d, want 26 2 1", f, m, s)
	}
	if Model() == "" {
		t.Error("Model() is empty")
	}
}
