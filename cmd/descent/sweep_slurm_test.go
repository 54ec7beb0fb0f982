package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/descent-ml/descent/report/results"
	"github.com/descent-ml/descent/sweep"
)

// slurm runs a Slurm client command and returns its output, trimmed.
func slurm(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// waitFor calls ok every half second until it returns true, for at most d.
func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("waited %v for %s", d, what)
}

// TestSlurmArray submits the job array that descent sweep emit prints to a real Slurm
// cluster (scripts/slurm-up.sh), interrupts one task in the middle of a trial with
// scancel --signal=TERM, lets the task requeue itself, and checks that the collected
// results are those of the same sweep run locally, with no trial trained to its end
// twice. It runs with DESCENT_SLURM_TESTS=1 (and SLURM_CONF set, as the script's env file
// sets it).
func TestSlurmArray(t *testing.T) {
	if os.Getenv("DESCENT_SLURM_TESTS") != "1" {
		t.Skip("DESCENT_SLURM_TESTS=1 runs it, on the cluster of scripts/slurm-up.sh")
	}
	mn := localMNIST(t)
	work := t.TempDir()
	exe := filepath.Join(work, "descent")
	if out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// Four trials of about 4 s each (20 epochs of 0.2 s on 2 cores), so that the signal lands mid-trial.
	flags := []string{"--dir", mn, "--model", "mlp:128", "--epochs", "20", "--train-size", "20000", "--val", "2000",
		"--batch-size", "100", "--threads", "1", "--grid", "lr=1e-4,1e-3,1e-2,1e-1", "--parallel", "2"}
	plan := filepath.Join(work, "plan")
	if _, errOut, err := runDescent(append([]string{"sweep", "--plan", plan}, flags...)...); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	script, errOut, err := runDescent("sweep", "emit", plan, "--slurm", "--parallel", "2", "--descent", exe)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(script, "#SBATCH --array=0-3%2\n") {
		t.Fatalf("the script has no --array=0-3%%2:\n%s", script)
	}
	scriptPath := filepath.Join(work, "job.sh")
	if err := os.WriteFile(scriptPath, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	job := slurm(t, "sbatch", "--parsable", scriptPath)
	t.Logf("sbatch: job array %s", job)
	defer exec.Command("scancel", job).Run()

	// Task 0 trains trial 0: interrupt it once its first epoch is recorded.
	p, err := sweep.ReadPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	first := sweep.TrialDir(plan, p.Trials[0])
	task0 := job + "_0"
	waitFor(t, 3*time.Minute, "the first epoch of trial 0", func() bool {
		b, _ := os.ReadFile(filepath.Join(first, sweep.RecordsFile))
		return strings.Contains(string(b), `"kind":"epoch"`)
	})
	if _, err := os.Stat(filepath.Join(first, sweep.ResultFile)); err == nil {
		t.Fatal("trial 0 ended before it could be interrupted: make its trials longer")
	}
	t.Logf("squeue before scancel:\n%s", slurm(t, "squeue", "-j", job, "-o", "%i %T %r"))
	// scancel delivers the signal to the task's job step, but Slurm 22.05 answers that an
	// array task "can not be altered now", and scancel retries for minutes: it is stopped
	// after a few seconds, and the signal judged by its effect, the task's log.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	out, err := exec.CommandContext(ctx, "scancel", "--signal=TERM", task0).CombinedOutput()
	cancel()
	t.Logf("scancel --signal=TERM %s: %v %s", task0, err, out)
	log0 := filepath.Join(plan, "slurm-"+job+"_0.out")
	waitFor(t, time.Minute, "task 0 to requeue itself", func() bool {
		b, _ := os.ReadFile(log0)
		return strings.Contains(string(b), "interrupted: requeueing")
	})
	// Slurm makes a requeued batch job eligible again two minutes later (BeginTime): the
	// test moves its start to now, as a user may (scontrol update StartTime=now), and waits
	// out the two minutes if Slurm refuses.
	t.Logf("task 0 after its requeue: %s", regexp.MustCompile(`(?m)^\s*(JobState|Requeue|SubmitTime)=.*$`).FindAllString(slurm(t, "scontrol", "show", "job", task0), -1))
	out, err = exec.Command("scontrol", "update", "JobId="+task0, "StartTime=now").CombinedOutput()
	t.Logf("scontrol update JobId=%s StartTime=now: %v %s", task0, err, out)
	restarted := regexp.MustCompile(`restart [1-9]`)
	waitFor(t, 6*time.Minute, "task 0 to start again", func() bool {
		b, _ := os.ReadFile(log0)
		return restarted.Match(b)
	})
	waitFor(t, 10*time.Minute, "the array to finish", func() bool {
		out, err := exec.Command("squeue", "-h", "-j", job).CombinedOutput()
		return err == nil && strings.TrimSpace(string(out)) == "" || err != nil && strings.Contains(string(out), "Invalid job id")
	})
	info := slurm(t, "scontrol", "show", "job", task0)
	if !regexp.MustCompile(`Restarts=[1-9]`).MatchString(info) || !strings.Contains(info, "JobState=COMPLETED") {
		t.Errorf("task 0 was not requeued, or did not complete:\n%s", info)
	}
	logs, _ := filepath.Glob(filepath.Join(plan, "slurm-*.out"))
	for _, l := range logs {
		b, _ := os.ReadFile(l)
		t.Logf("%s:\n%s", filepath.Base(l), b)
	}
	b, _ := os.ReadFile(log0)
	if !strings.Contains(string(b), "interrupted: requeueing") || !strings.Contains(string(b), p.Trials[0].ID+"): resuming at epoch") {
		t.Errorf("the log of task 0 shows no requeue and resume")
	}

	local := filepath.Join(work, "local")
	localOut, errOut, err := runDescent(append([]string{"sweep", "--out", local}, flags...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	planOut, errOut, err := runDescent("sweep", "collect", plan)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	t.Logf("collect:\n%s", planOut)
	if !slices.Equal(rankLines(planOut), rankLines(localOut)) {
		t.Errorf("ranking of the array:\n%s\nlocal:\n%s", planOut, localOut)
	}
	if a, b := summaryRows(t, plan), summaryRows(t, local); !slices.EqualFunc(a, b, slices.Equal) {
		t.Errorf("summary of the array %v\nlocal %v", a, b)
	}
	for i, tr := range p.Trials {
		recs, err := results.ReadFile(filepath.Join(sweep.TrialDir(plan, tr), sweep.RecordsFile))
		if err != nil {
			t.Fatal(err)
		}
		ended, interrupted := 0, 0
		for _, r := range recs {
			switch {
			case r.Kind != results.KindEnd:
			case r.Status == results.StatusInterrupted:
				interrupted++
			default:
				ended++
			}
		}
		if ended != 1 || i == 0 && interrupted != 1 {
			t.Errorf("trial %s: trained to its end %d times, interrupted %d times", tr.Name, ended, interrupted)
		}
	}
}
