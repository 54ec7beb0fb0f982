package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// A Shard is one of Count parts of a plan's trials: those whose index i in the plan has
// i mod Count = Index. Shards of the same Count partition the trials, each getting
// ⌊T/Count⌋ or ⌈T/Count⌉ of T.
type Shard struct {
	Index, Count int
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// check returns an error unless 0 ≤ Index < Count.
func (s Shard) check() error {
	switch {
	case s.Count < 1:
		return fmt.Errorf("sweep: shard %s: want at least 1 shard", s)
	case s.Index < 0 || s.Index >= s.Count:
		return fmt.Errorf("sweep: shard %s: the index of a shard of %d runs from 0 to %d", s, s.Count, s.Count-1)
	}
	return nil
}

// ParseShard parses "I/N", shard I of N, 0 ≤ I < N.
func ParseShard(text string) (Shard, error) {
	a, b, ok := strings.Cut(text, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("sweep: shard %q is not I/N", text)
	}
	s := Shard{Index: i, Count: n}
	return s, s.check()
}

// Environment variables a scheduler sets in each of its tasks.
const (
	EnvSlurmTask  = "SLURM_ARRAY_TASK_ID"    // the task's index in a Slurm job array
	EnvSlurmCount = "SLURM_ARRAY_TASK_COUNT" // the number of tasks of the array
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN"   // the array's smallest index
	EnvJobIndex   = "JOB_COMPLETION_INDEX"   // the pod's index in a Kubernetes Indexed Job
)

// ShardFromEnv returns the shard of a task of a scheduler, from the variables getenv
// returns (os.Getenv): in a Slurm job array, SLURM_ARRAY_TASK_ID of shards, or, if shards
// is 0, of SLURM_ARRAY_TASK_COUNT (the index then counted from SLURM_ARRAY_TASK_MIN); in a
// Kubernetes Indexed Job, JOB_COMPLETION_INDEX of shards, which must then be given (a pod
// is not told the Job's completions). The array scripts and Jobs of descent sweep emit
// give shards, so that a task submitted again alone (sbatch --array=5) keeps its shard.
func ShardFromEnv(getenv func(string) string, shards int) (Shard, error) {
	if shards < 0 {
		return Shard{}, fmt.Errorf("sweep: %d shards", shards)
	}
	num := func(name string) (int, error) {
		v, err := strconv.Atoi(strings.TrimSpace(getenv(name)))
		if err != nil {
			return 0, fmt.Errorf("sweep: $%s = %q is not an integer", name, getenv(name))
		}
		return v, nil
	}
	var s Shard
	switch {
	case getenv(EnvSlurmTask) != "":
		i, err := num(EnvSlurmTask)
		if err != nil {
			return Shard{}, err
		}
		s = Shard{Index: i, Count: shards}
		if shards == 0 {
			if getenv(EnvSlurmCount) == "" {
				return Shard{}, fmt.Errorf("sweep: $%s is set but not $%s: give the number of shards", EnvSlurmTask, EnvSlurmCount)
			}
			if s.Count, err = num(EnvSlurmCount); err != nil {
				return Shard{}, err
			}
			if getenv(EnvSlurmMin) != "" {
				lo, err := num(EnvSlurmMin)
				if err != nil {
					return Shard{}, err
				}
				s.Index -= lo
			}
		}
	case getenv(EnvJobIndex) != "":
		if shards == 0 {
			return Shard{}, fmt.Errorf("sweep: $%s is set: give the number of shards, the Job's completions", EnvJobIndex)
		}
		i, err := num(EnvJobIndex)
		if err != nil {
			return Shard{}, err
		}
		s = Shard{Index: i, Count: shards}
	default:
		return Shard{}, fmt.Errorf("sweep: no shard given, and neither $%s nor $%s is set", EnvSlurmTask, EnvJobIndex)
	}
	return s, s.check()
}

// Indices returns the indices of the trials of shard s of a plan of n trials.
func (s Shard) Indices(n int) []int {
	if err := s.check(); err != nil {
		panic(err.Error())
	}
	var out []int
	for i := s.Index; i < n; i += s.Count {
		out = append(out, i)
	}
	return out
}
