package mnist

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// goModDownload fetches module ("path@version") with "go mod download -json", run in an
// empty temporary folder so that no go.mod or go.work around interferes, and returns the
// folder of the module in the module cache. The go command verifies the module against
// the Go checksum database.
func goModDownload(ctx context.Context, goCmd, module string) (string, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	path, err := exec.LookPath(goCmd)
	if err != nil {
		return "", fmt.Errorf("no go command: %w", err)
	}
	tmp, err := os.MkdirTemp("", "descent-gomod-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, path, "mod", "download", "-json", module)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &info)
	switch {
	case jsonErr == nil && info.Error != "":
		return "", errors.New(info.Error)
	case runErr != nil:
		return "", fmt.Errorf("%v: %s", runErr, strings.TrimSpace(stderr.String()))
	case jsonErr != nil:
		return "", fmt.Errorf("unexpected output of go mod download: %v", jsonErr)
	case info.Dir == "":
		return "", errors.New("go mod download gave no folder")
	}
	return info.Dir, nil
}
