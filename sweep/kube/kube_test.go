package kube

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/descent-ml/descent/sweep"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata")

// testPlan is a plan of 7 trials, as ReadPlan returns it.
func testPlan() *sweep.Plan {
	p := &sweep.Plan{Format: "descent sweep plan", Version: sweep.Version, Command: "sweep",
		Args: []string{"--grid", "lr=1e-3:1:7", "--model", "logreg"}, Dir: "/srv/sweeps", Threads: 2, Data: []byte(`{"dataset":"mnist"}`)}
	for i := range 7 {
		p.Trials = append(p.Trials, sweep.Trial{ID: strings.Repeat(string(rune('a'+i)), 16), Name: "lr=" + string(rune('1'+i))})
	}
	return p
}

func TestIndexedJobGolden(t *testing.T) {
	job, err := IndexedJob(testPlan(), Options{Image: "registry.example/descent:1.0", PVC: "sweeps", Dir: "lr-sweep",
		PerTask: 2, Parallelism: 3, BackoffLimitPerIndex: 2})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, job); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "job.yaml")
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
		t.Errorf("the manifest differs from %s (go test -update rewrites it):\n%s", golden, b.String())
	}

	// Strict decoding into the API's types: every field is one of the Job's, and the
	// manifest decodes to the Job it was made from.
	var back batchv1.Job
	if err := yaml.UnmarshalStrict(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, job) {
		t.Errorf("decoded %+v\nwant %+v", back, *job)
	}
	// Strict decoding catches a misspelt field, so the check above can fail.
	bad := bytes.Replace(b.Bytes(), []byte("backoffLimitPerIndex"), []byte("backoffLimitPerIndx"), 1)
	if err := yaml.UnmarshalStrict(bad, &back); err == nil {
		t.Error("a misspelt field decoded")
	}

	s := job.Spec
	switch {
	case *s.Completions != 4 || *s.Parallelism != 3 || *s.BackoffLimitPerIndex != 2 || *s.CompletionMode != batchv1.IndexedCompletion:
		t.Errorf("spec %+v", s)
	case s.Template.Spec.RestartPolicy != "Never":
		t.Errorf("restart policy %s: backoffLimitPerIndex needs Never", s.Template.Spec.RestartPolicy)
	}
	c := s.Template.Spec.Containers[0]
	if got := strings.Join(c.Command, " "); got != "descent sweep run /runs/lr-sweep --shards 4" {
		t.Errorf("command %q", got)
	}
	if c.VolumeMounts[0].MountPath != "/runs" || s.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != "sweeps" {
		t.Errorf("volume %+v %+v", c.VolumeMounts, s.Template.Spec.Volumes)
	}
}

func TestIndexedJobRefused(t *testing.T) {
	for _, o := range []Options{
		{PVC: "v"},
		{Image: "i"},
		{Image: "i", PVC: "v", Mount: "runs"},
		{Image: "i", PVC: "v", Dir: "/abs"},
		{Image: "i", PVC: "v", Dir: "../up"},
		{Image: "i", PVC: "v", Name: "Bad_Name"},
		{Image: "i", PVC: "v", PerTask: -1},
	} {
		if _, err := IndexedJob(testPlan(), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	job, err := IndexedJob(testPlan(), Options{Image: "i", PVC: "v", Dir: "My Sweep_2"})
	if err != nil || job.Name != "descent-my-sweep-2" || *job.Spec.Parallelism != 7 {
		t.Errorf("%v %+v", err, job)
	}
}
