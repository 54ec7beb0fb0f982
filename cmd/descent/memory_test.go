package main

import (
	"strings"
	"testing"
)

func TestByteSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64 // 0: refused
	}{
		{"500MB", 500e6}, {"7.5GiB", 7.5 * (1 << 30)}, {"2G", 2 << 30}, {"4096", 4096}, {"1 kib", 1024}, {"3b", 3},
		{"", 0}, {"lots", 0}, {"-1GiB", 0}, {"0", 0}, {"NaN", 0}, {"infGiB", 0}, {"1e308TB", 0},
	} {
		var b byteSize
		err := b.Set(c.in)
		switch {
		case c.want == 0 && err == nil:
			t.Errorf("%q: accepted as %v", c.in, float64(b))
		case c.want != 0 && (err != nil || float64(b) != c.want):
			t.Errorf("%q: %v, %v; want %v", c.in, float64(b), err, c.want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		n    float64
		want string
	}{
		{0, "0 bytes"}, {1023, "1023 bytes"}, {1024, "1.0 KiB"}, {7.5 * (1 << 30), "7.5 GiB"}, {512 << 20, "512 MiB"},
		{4.8e11, "447 GiB"}, {1e30, "827181 YiB"},
	} {
		if got := formatBytes(c.n); got != c.want {
			t.Errorf("formatBytes(%g) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestParseMemAvailable(t *testing.T) {
	info := "MemTotal:       16318664 kB\nMemFree:         1234567 kB\nMemAvailable:    7864320 kB\n"
	if v, ok := parseMemAvailable([]byte(info)); !ok || v != 7864320*1024 {
		t.Errorf("MemAvailable: %v, %v; want %v", v, ok, 7864320*1024)
	}
	for _, bad := range []string{"", "MemTotal: 1 kB\n", "MemAvailable: x kB\n", "MemAvailable: -5 kB\n"} {
		if v, ok := parseMemAvailable([]byte(bad)); ok {
			t.Errorf("%q: read as %v", bad, v)
		}
	}
	limit := byteSize(1 << 30)
	err := checkMemory("the thing", 7.5*(1<<30), &limit)
	if err == nil || !strings.Contains(err.Error(), "the thing needs 7.5 GiB, more than the 1.0 GiB --max-memory") {
		t.Errorf("checkMemory: %v", err)
	}
	if err := checkMemory("the thing", 1<<29, &limit); err != nil {
		t.Errorf("checkMemory under the limit: %v", err)
	}
}
