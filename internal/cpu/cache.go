package cpu

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// A Cache is one level of a core's data caches as the CPU describes it.
type Cache struct {
	Size     int // bytes of one instance
	Ways     int // associativity; 0 when fully associative or not reported
	Line     int // bytes of a line
	SharedBy int // logical CPUs that share one instance; 0 when not reported
}

// Caches are a core's data caches: the level-1 data cache, the level-2 and level-3 caches (a
// zero Cache for a level the CPU lacks or does not report), and where they were read.
type Caches struct {
	L1, L2, L3 Cache
	// Source is the CPUID leaf the sizes come from ("cpuid 4" on Intel, "cpuid 0x8000001d"
	// on AMD with topology extensions, "cpuid 0x80000005/6" on other AMD and x86 CPUs), the
	// Linux sysfs on other architectures ("sysfs"), or "assumed" when nothing reports them:
	// then L1 is 32 KiB of 8 ways and L2 512 KiB of 8 ways, 64-byte lines, the smallest
	// caches of the x86 and arm64 server and desktop cores of the last ten years.
	Source string
}

func (c Cache) String() string {
	if c.Size == 0 {
		return "none"
	}
	s := sizeString(c.Size)
	if c.Ways > 0 {
		s += fmt.Sprintf(", %d-way", c.Ways)
	}
	s += fmt.Sprintf(", %d-byte lines", c.Line)
	if c.SharedBy > 0 {
		s += fmt.Sprintf(", shared by %d", c.SharedBy)
	}
	return s
}

func sizeString(b int) string {
	switch {
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", b>>10)
	}
	return fmt.Sprintf("%d B", b)
}

// assumedCaches are the caches of [Caches] with Source "assumed".
var assumedCaches = Caches{
	L1:     Cache{Size: 32 << 10, Ways: 8, Line: 64},
	L2:     Cache{Size: 512 << 10, Ways: 8, Line: 64},
	Source: "assumed",
}

// caches is read when the program starts, as the feature table is.
var caches = detectCaches()

// CacheSizes returns this CPU's data caches, read when the program starts: from CPUID on
// amd64 (in every build: reading CPUID is not a kernel), from the Linux sysfs elsewhere,
// else assumed (see [Caches]). DESCENT_CPU does not change them.
func CacheSizes() Caches { return caches }

// A cpuidFunc executes CPUID, so that the decoding can be tested with the registers of
// other CPUs.
type cpuidFunc func(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// cachesFromCPUID decodes the caches from CPUID: the deterministic cache parameters of leaf
// 4 (Intel) or 0x8000001d (AMD with topology extensions), else AMD's older 0x80000005
// (L1) and 0x80000006 (L2, L3). ok is false when none of them reports an L1 data cache.
func cachesFromCPUID(id cpuidFunc) (c Caches, ok bool) {
	maxLeaf, _, _, _ := id(0, 0)
	maxExt, _, _, _ := id(0x80000000, 0)
	if maxLeaf >= 4 {
		if c, ok := cacheLeaf(id, 4); ok {
			c.Source = "cpuid 4"
			return c, true
		}
	}
	if maxExt >= 0x8000001d {
		if _, _, ecx, _ := id(0x80000001, 0); ecx&(1<<22) != 0 { // TopologyExtensions
			if c, ok := cacheLeaf(id, 0x8000001d); ok {
				c.Source = "cpuid 0x8000001d"
				return c, true
			}
		}
	}
	if maxExt >= 0x80000006 {
		_, _, l1, _ := id(0x80000005, 0)
		_, _, l2, l3 := id(0x80000006, 0)
		c.L1 = Cache{Size: int(l1>>24) << 10, Ways: int(l1 >> 16 & 0xff), Line: int(l1 & 0xff)}
		if c.L1.Ways == 0xff {
			c.L1.Ways = 0 // fully associative
		}
		if maxExt < 0x80000005 {
			c.L1 = Cache{}
		}
		c.L2 = Cache{Size: int(l2>>16) << 10, Ways: amdWays(l2 >> 12 & 0xf), Line: int(l2 & 0xff)}
		c.L3 = Cache{Size: int(l3>>18) * 512 << 10, Ways: amdWays(l3 >> 12 & 0xf), Line: int(l3 & 0xff)}
		for _, x := range []*Cache{&c.L2, &c.L3} {
			if x.Size == 0 || x.Line == 0 {
				*x = Cache{}
			}
		}
		if c.L1.Size > 0 && c.L1.Line > 0 {
			c.Source = "cpuid 0x80000005/6"
			return c, true
		}
	}
	return Caches{}, false
}

// amdWays decodes the associativity field of AMD's CPUID 0x80000006; 0 for fully
// associative or for a code that defers to leaf 0x8000001d.
func amdWays(code uint32) int {
	return [16]int{0, 1, 2, 3, 4, 6, 8, 0, 16, 0, 32, 48, 64, 96, 128, 0}[code]
}

// cacheLeaf decodes the subleaves of CPUID leaf 4 or 0x8000001d, which share one format:
// EAX[4:0] type (1 data, 2 instruction, 3 unified, 0 no more), EAX[7:5] level, EAX[25:14]
// logical CPUs sharing it − 1; EBX[31:22] ways − 1, EBX[21:12] partitions − 1, EBX[11:0] line
// size − 1; ECX sets − 1; EAX[9] set when fully associative.
func cacheLeaf(id cpuidFunc, leaf uint32) (c Caches, ok bool) {
	for sub := uint32(0); sub < 16; sub++ {
		a, b, cx, _ := id(leaf, sub)
		typ := a & 0x1f
		if typ == 0 {
			break
		}
		if typ == 2 { // instructions
			continue
		}
		x := Cache{
			Ways:     int(b>>22) + 1,
			Line:     int(b&0xfff) + 1,
			SharedBy: int(a>>14&0xfff) + 1,
		}
		x.Size = x.Ways * (int(b>>12&0x3ff) + 1) * x.Line * (int(cx) + 1)
		if a&(1<<9) != 0 { // fully associative
			x.Ways = 0
		}
		switch a >> 5 & 7 {
		case 1:
			c.L1 = x
		case 2:
			c.L2 = x
		case 3:
			c.L3 = x
		}
	}
	return c, c.L1.Size > 0
}

// cachesFromSysfs reads the caches of CPU 0 from the Linux sysfs under dir
// (/sys/devices/system/cpu/cpu0/cache): the folders index0, index1, … with the files
// level, type, size, ways_of_associativity, coherency_line_size and shared_cpu_list.
func cachesFromSysfs(dir string) (c Caches, ok bool) {
	ents, err := filepath.Glob(filepath.Join(dir, "index*"))
	if err != nil || len(ents) == 0 {
		return c, false
	}
	read := func(d, f string) string {
		b, _ := os.ReadFile(filepath.Join(d, f))
		return strings.TrimSpace(string(b))
	}
	for _, d := range ents {
		if typ := read(d, "type"); typ != "Data" && typ != "Unified" {
			continue
		}
		x := Cache{Size: parseSize(read(d, "size"))}
		x.Ways, _ = strconv.Atoi(read(d, "ways_of_associativity"))
		x.Line, _ = strconv.Atoi(read(d, "coherency_line_size"))
		x.SharedBy = countCPUs(read(d, "shared_cpu_list"))
		switch read(d, "level") {
		case "1":
			c.L1 = x
		case "2":
			c.L2 = x
		case "3":
			c.L3 = x
		}
	}
	c.Source = "sysfs"
	return c, c.L1.Size > 0 && c.L1.Line > 0
}

// parseSize reads a sysfs size such as "48K" or "1024K" or "32M" in bytes; 0 if malformed.
func parseSize(s string) int {
	mult := 1
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0
	}
	return n * mult
}

// countCPUs counts the CPUs of a sysfs list such as "0-3,8-11" or "0"; 0 if malformed.
func countCPUs(list string) int {
	n := 0
	for _, r := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(r, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}

// sysfsCacheDir is where Linux describes the caches of CPU 0.
const sysfsCacheDir = "/sys/devices/system/cpu/cpu0/cache"

func detectCaches() Caches {
	if c, ok := cpuidCaches(); ok {
		return c
	}
	if runtime.GOOS == "linux" {
		if c, ok := cachesFromSysfs(sysfsCacheDir); ok {
			return c
		}
	}
	return assumedCaches
}
