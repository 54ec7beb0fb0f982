// Package kube makes the Kubernetes Indexed Job that trains the trials of a sweep plan
// (package sweep): one pod per shard, each running descent sweep run on the plan folder,
// which a PersistentVolumeClaim holds. The Job is built from the API's own types
// (k8s.io/api/batch/v1), not written as text, and printed as YAML.
//
// # The Job
//
// completionMode Indexed, completions the number of shards (⌈trials / Options.PerTask⌉),
// parallelism Options.Parallelism. Kubernetes gives each pod its index in
// $JOB_COMPLETION_INDEX, which descent sweep run --shards N reads. A pod that fails is
// started again up to backoffLimitPerIndex times, its index alone; a pod evicted or
// preempted (the DisruptionTarget condition) is not counted against it (podFailurePolicy),
// and both resume the trial they were training from its checkpoint. Kubernetes sends
// SIGTERM and waits terminationGracePeriodSeconds (60) before SIGKILL: descent saves its
// checkpoint in the meantime.
//
// The data: $DESCENT_DATA is set to a folder on the volume, .descent-data under the mount,
// where the pods find MNIST (descent data fetch --cache puts it there) or fetch it.
package kube

import (
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/descent-ml/descent/sweep"
)

// Options shape the Job. Image and PVC are required; the zero value of the others works.
type Options struct {
	// Image is the container image; it holds the descent executable.
	Image string
	// PVC is the name of the PersistentVolumeClaim that holds the plan folder.
	PVC string
	// Mount is where the volume is mounted in the pods. If Mount is "", it is "/runs".
	Mount string
	// Dir is the plan folder's path in the volume, relative to its root. If Dir is "", it
	// is "sweep".
	Dir string
	// PerTask is the number of trials a pod trains. If PerTask is 0, it is 1.
	PerTask int
	// Parallelism is the number of pods running at once. If Parallelism is 0, it is all.
	Parallelism int
	// BackoffLimitPerIndex is the number of times a failed pod of an index is started
	// again. Zero means none.
	BackoffLimitPerIndex int
	// CPU is the CPU request (and limit) of a pod. If CPU is 0, it is the plan's threads.
	CPU int
	// Name is the Job's name. If Name is "", it is "descent-" and Dir's last element,
	// made a DNS label.
	Name string
	// Descent is the descent command in the image. If Descent is "", it is "descent".
	Descent string
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// labelOf turns s into a DNS label: lower case, other characters than letters and digits
// made '-', at most n characters.
func labelOf(s string, n int) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '-'
		}
	}
	s = strings.Trim(string(b), "-")
	if len(s) > n {
		s = strings.TrimRight(s[:n], "-")
	}
	return s
}

// IndexedJob returns the Job that trains the trials of p: see the package documentation.
func IndexedJob(p *sweep.Plan, o Options) (*batchv1.Job, error) {
	if o.Mount == "" {
		o.Mount = "/runs"
	}
	if o.Dir == "" {
		o.Dir = "sweep"
	}
	if o.Descent == "" {
		o.Descent = "descent"
	}
	if o.CPU == 0 {
		o.CPU = p.Threads
	}
	if o.Name == "" {
		o.Name = "descent-" + labelOf(path.Base(o.Dir), 40)
	}
	switch {
	case o.Image == "" || o.PVC == "":
		return nil, fmt.Errorf("kube: a Job needs an image and a PersistentVolumeClaim")
	case !path.IsAbs(o.Mount):
		return nil, fmt.Errorf("kube: the mount %q is not an absolute path", o.Mount)
	case path.IsAbs(o.Dir) || strings.HasPrefix(path.Clean(o.Dir), ".."):
		return nil, fmt.Errorf("kube: the plan folder %q must be a path within the volume", o.Dir)
	case o.PerTask < 0 || o.Parallelism < 0 || o.BackoffLimitPerIndex < 0 || o.CPU < 0:
		return nil, fmt.Errorf("kube: negative trials per pod, parallelism, retries or CPUs")
	case len(o.Name) > 63 || !dnsLabel.MatchString(o.Name):
		return nil, fmt.Errorf("kube: the Job name %q is not a DNS label (lower-case letters, digits and -, at most 63)", o.Name)
	}
	n := int32(sweep.Tasks(len(p.Trials), o.PerTask))
	parallelism := n
	if o.Parallelism > 0 {
		parallelism = min(n, int32(o.Parallelism))
	}
	dir := path.Join(o.Mount, o.Dir)
	backoff := int32(o.BackoffLimitPerIndex)
	grace := int64(60)
	cpu := resource.MustParse(strconv.Itoa(o.CPU))
	indexed := batchv1.IndexedCompletion
	labels := map[string]string{"app.kubernetes.io/name": "descent", "app.kubernetes.io/component": "sweep",
		"app.kubernetes.io/instance": o.Name}
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Labels: labels,
			Annotations: map[string]string{"descent.sweep/plan-sha256": p.Digest()}},
		Spec: batchv1.JobSpec{
			CompletionMode:       &indexed,
			Completions:          &n,
			Parallelism:          &parallelism,
			BackoffLimitPerIndex: &backoff,
			PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
				Action:          batchv1.PodFailurePolicyActionIgnore,
				OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}},
			}}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy:                 corev1.RestartPolicyNever,
					TerminationGracePeriodSeconds: &grace,
					Containers: []corev1.Container{{
						Name:    "descent",
						Image:   o.Image,
						Command: []string{o.Descent, "sweep", "run", dir, "--shards", strconv.Itoa(int(n))},
						Env:     []corev1.EnvVar{{Name: "DESCENT_DATA", Value: path.Join(o.Mount, ".descent-data")}},
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: cpu},
							Limits:   corev1.ResourceList{corev1.ResourceCPU: cpu},
						},
						VolumeMounts: []corev1.VolumeMount{{Name: "runs", MountPath: o.Mount}},
					}},
					Volumes: []corev1.Volume{{Name: "runs", VolumeSource: corev1.VolumeSource{
						PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: o.PVC}}}},
				},
			},
		},
	}
	return job, nil
}

// Write writes job to w as YAML, with the fields the API server would fill in (status,
// creationTimestamp) left out.
func Write(w io.Writer, job *batchv1.Job) error {
	b, err := yaml.Marshal(job)
	if err != nil {
		return fmt.Errorf("kube: %w", err)
	}
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		switch strings.TrimSpace(line) {
		case "creationTimestamp: null", "status: {}":
			continue
		}
		keep = append(keep, line)
	}
	_, err = io.WriteString(w, strings.Join(keep, "\n"))
	return err
}
