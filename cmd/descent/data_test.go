package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/descent-ml/descent/internal/testmnist"
)

// runDescent runs descent with args and returns its stdout, stderr and error.
func runDescent(args ...string) (string, string, error) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// TestDataTruncatedDir gives --dir a folder whose train-images-idx3-ubyte.gz is cut short:
// both subcommands must refuse it with an error naming that file.
func TestDataTruncatedDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "train-images-idx3-ubyte.gz")
	if err := os.WriteFile(path, []byte{0x1f, 0x8b, 8, 0, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"fetch", "info"} {
		_, _, err := runDescent("data", sub, "--dir", dir, "--cache", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("data %s: err = %v; want an error naming %s", sub, err, path)
		}
	}
}

func TestDataOffline(t *testing.T) {
	t.Setenv("MNIST_DIR", "")
	_, _, err := runDescent("data", "fetch", "--offline", "--cache", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "offline") {
		t.Errorf("err = %v; want an error saying fetching is off", err)
	}
}

func TestDataUsage(t *testing.T) {
	for _, args := range [][]string{{"data"}, {"data", "nope"}, {"data", "info", "--nope"}, {"data", "info", "extra"}} {
		if _, _, err := runDescent(args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: err = %v, want errUsage", args, err)
		}
	}
	if out, _, err := runDescent("data", "-h"); !errors.Is(err, errHelp) || !strings.Contains(out, "fetch") {
		t.Errorf("data -h: %v, %q", err, out)
	}
	if _, errOut, err := runDescent("data", "info", "-h"); !errors.Is(err, errHelp) || !strings.Contains(errOut, "-json") {
		t.Errorf("data info -h: %v, %q", err, errOut)
	}
	if _, _, err := runDescent("data", "info", "--dataset", "cifar", "--offline"); err == nil || !strings.Contains(err.Error(), "cifar") {
		t.Errorf("unknown dataset: %v", err)
	}
}

// localMNIST returns a folder with the MNIST files already on this machine ($MNIST_DIR or
// descent's cache), or skips (fails under DESCENT_REQUIRE_DATA=1): this test does not fetch.
func localMNIST(t *testing.T) string { return testmnist.Dir(t) }

func TestDataInfoJSON(t *testing.T) {
	dir := localMNIST(t)
	out, _, err := runDescent("data", "info", "--dir", dir, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("--json printed more than one line:\n%s", out)
	}
	var info struct {
		Train, Test int
		Splits      map[string]struct {
			FirstLabel int     `json:"first_label"`
			PixelMean  float64 `json:"pixel_mean"`
		}
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	tr := info.Splits["train"]
	if info.Train != 60000 || info.Test != 10000 || tr.FirstLabel != 5 || tr.PixelMean < 0.1306 || tr.PixelMean > 0.1308 {
		t.Errorf("info %+v", info)
	}
}
