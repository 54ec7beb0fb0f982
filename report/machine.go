package report

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/descent-ml/descent/internal/cpu"
)

// Machine describes the computer a report was made on, so that timings can be read.
type Machine struct {
	CPU        string    // CPU model, e.g. "Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz"
	Features   string    // SIMD features the kernels may use, e.g. "AVX-512F AVX2 FMA"
	Cores      int       // logical CPUs
	GOMAXPROCS int       // threads Go runs at once
	Go         string    // Go version, e.g. "go1.26.0"
	OS         string    // GOOS/GOARCH
	Build      string    // descent's module version and VCS revision, when known
	Date       time.Time // when the report was made
}

// ThisMachine describes the machine the program runs on, now.
func ThisMachine() Machine {
	m := Machine{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Go:         runtime.Version(),
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
		Date:       time.Now(),
	}
	var feats []string
	cf := cpu.Enabled()
	for _, f := range []struct {
		has  bool
		name string
	}{
		{cf.AVX512F, "AVX-512F"}, {cf.AVX2, "AVX2"}, {cf.FMA, "FMA"}, {cf.ASIMD, "NEON"},
	} {
		if f.has {
			feats = append(feats, f.name)
		}
	}
	if mask := cpu.Masked(); mask != "" {
		feats = append(feats, "("+cpu.Env+"="+mask+")")
	}
	m.Features = strings.Join(feats, " ")
	if bi, ok := debug.ReadBuildInfo(); ok {
		m.Build = bi.Main.Path + " " + bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				m.Build += " (" + s.Value[:12] + ")"
			}
		}
	}
	return m
}

// cpuModel reads the CPU model from /proc/cpuinfo, or returns GOARCH where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.TrimSpace(val)
		}
	}
	return runtime.GOARCH
}

// Table returns the machine as a two-column table.
func (m Machine) Table() *Table {
	t := NewTable("Machine", "", "")
	add := func(k, v string) {
		if v != "" {
			t.Add(Plain, k, v)
		}
	}
	add("CPU", m.CPU)
	add("SIMD", m.Features)
	add("cores", strconv.Itoa(m.Cores)+" logical, GOMAXPROCS "+strconv.Itoa(m.GOMAXPROCS))
	add("Go", m.Go)
	add("OS", m.OS)
	add("build", m.Build)
	if !m.Date.IsZero() {
		add("date", m.Date.Format("2006-01-02 15:04:05 MST"))
	}
	return t
}
