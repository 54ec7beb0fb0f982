package hugepage

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

func TestSpan(t *testing.T) {
	const M, h = Size, Size / 2
	for _, c := range []struct{ p, n, start, length uintptr }{
		{0, 2 * M, 0, 2 * M},       // aligned
		{1, 2 * M, 0, 2 * M},       // 1 byte short of the first page's start: still most of it
		{h, M, 0, 2 * M},           // half of each of two pages
		{h - 1, M, 0, M},           // a byte more than half of the first
		{h + 1, 3 * M, M, 3 * M},   // the first page less than half; the last one half
		{M - 4096, M + 4096, M, M}, // one whole page and a sliver
		{5 * M, h - 1, 5 * M, 0},   // less than half of one page
		{5*M + 8, M, 5 * M, M},     // most of one page
		{3*M + 8192, 10 * M, 3 * M, 10 * M},
	} {
		start, length := span(c.p, c.n)
		if length != c.length || (length != 0 && start != c.start) {
			t.Errorf("span(%#x, %#x) = %#x, %#x; want %#x, %#x", c.p, c.n, start, length, c.start, c.length)
		}
	}
}

func TestFloat32sZeroedAndUsable(t *testing.T) {
	for _, n := range []int{0, 1, Size/4 - 1, Size / 4, 3 * Size / 4, 5*Size/4 + 7} {
		s := Float32s(n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("Float32s(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i, v := range s {
			if v != 0 {
				t.Fatalf("Float32s(%d)[%d] = %v", n, i, v)
			}
			s[i] = float32(i)
		}
		for i, v := range s {
			if v != float32(i) {
				t.Fatalf("Float32s(%d)[%d] = %v after write", n, i, v)
			}
		}
	}
}

// TestHugePagesWhereEnabled checks, on a Linux kernel whose transparent huge pages are in
// "madvise" or "always" mode, that a fresh 32 MiB slice is backed by huge pages once
// written: the mapping that holds its first advised huge page reports AnonHugePages in
// /proc/self/smaps (the advice splits the heap's mapping at that page). The
// kernel may decline when memory is fragmented, so the test wants at least one huge
// page, not all of them.
func TestHugePagesWhereEnabled(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("madvise(MADV_HUGEPAGE) is Linux's")
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(mode), "[madvise]") || strings.Contains(string(mode), "[always]")) {
		t.Skipf("transparent huge pages not in madvise or always mode (%q, %v)", strings.TrimSpace(string(mode)), err)
	}
	s := Float32s(4 * Size)
	for i := 0; i < len(s); i += 1024 {
		s[i] = 1
	}
	p, _ := span(uintptr(unsafe.Pointer(&s[0])), uintptr(len(s))*4)
	kb, err := anonHuge(p)
	if err != nil {
		t.Fatal(err)
	}
	runtime.KeepAlive(s)
	if kb == 0 {
		t.Errorf("the mapping of a written 32 MiB slice at %#x has no huge pages", p)
	}
}

// anonHuge returns AnonHugePages, in KiB, of the mapping of /proc/self/smaps holding p.
func anonHuge(p uintptr) (int, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(line, ":") && strings.Count(line, " ") > 0 {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				in = uintptr(a) <= p && p < uintptr(b)
				continue
			}
		}
		if in && strings.HasPrefix(line, "AnonHugePages:") {
			return strconv.Atoi(strings.Fields(line)[1])
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no mapping of /proc/self/smaps holds %#x", p)
}
