package transport

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/client"
)

// daemonPingTimeout bounds how long CheckDaemon waits for the daemon: a
// local socket answers in milliseconds.
const daemonPingTimeout = 5 * time.Second

// CheckDaemon checks, before any work, that the Docker daemon that
// LoadDaemon loads into (DOCKER_HOST, else the local socket) answers, so
// that a stopped dockerd fails a call at once rather than after the layer
// is made.
func CheckDaemon(ctx context.Context) error {
	c, err := client.New(client.FromEnv)
	if err != nil {
		return fmt.Errorf("docker daemon: %w; check DOCKER_HOST", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, daemonPingTimeout)
	defer cancel()
	if _, err := c.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		if ctx.Err() != nil && ctx.Err() != context.DeadlineExceeded {
			return ctx.Err()
		}
		return fmt.Errorf("docker daemon at %s does not answer (%v); start dockerd, or set DOCKER_HOST to one that runs, for --docker", c.DaemonHost(), err)
	}
	return nil
}
