package sweep

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

func TestSlurmGolden(t *testing.T) {
	p := &Plan{Format: planFormat, Version: Version, Command: "sweep", Args: []string{"--model", "logreg"}, Dir: "/srv/sweeps",
		Threads: 2, Data: []byte(`{}`)}
	for i := range 7 {
		p.Trials = append(p.Trials, Trial{ID: strings.Repeat(string(rune('a'+i)), 16), Name: "lr=" + string(rune('1'+i))})
	}
	var b bytes.Buffer
	err := WriteSlurm(&b, p, SlurmOptions{Descent: "/opt/descent/bin/descent", Dir: "/scratch/u/lr-sweep", PerTask: 2,
		Parallel: 3, Partition: "cpu", Time: "1:00:00"})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "job.sbatch")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the script differs from %s (go test -update rewrites it):\n%s", golden, b.String())
	}
	for _, line := range []string{"#SBATCH --array=0-3%3\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --requeue\n",
		"srun --ntasks=1 --cpus-per-task=2 /opt/descent/bin/descent sweep run /scratch/u/lr-sweep --shards 4\n"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("no %q in the script", line)
		}
	}
	for _, o := range []SlurmOptions{
		{Descent: "descent", Dir: "/a"},
		{Descent: "/d", Dir: "rel"},
		{Descent: "/d", Dir: "/a b"},
		{Descent: "/d", Dir: "/a", Partition: "x;rm"},
		{Descent: "/d", Dir: "/a", PerTask: -1},
	} {
		if err := WriteSlurm(&b, p, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
