package main

import (
	"testing"
)

func TestRestartSettings(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want Restart
	}{
		{"default re-execs", nil, Restart{Mode: "exec", ExitCode: 1}},
		{"WAREST's docker runtime exits 1", map[string]string{"WAREST_RUNTIME": "docker"}, Restart{Mode: "exit", ExitCode: 1}},
		{"WAREST's pm2 exits 0", map[string]string{"WAREST_PROCESS_MANAGER": "PM2"}, Restart{Mode: "exit", ExitCode: 0}},
		{"node re-execs", map[string]string{"WAREST_RUNTIME": "node"}, Restart{Mode: "exec", ExitCode: 1}},
		{"our mode wins", map[string]string{"WAREST_RUNTIME": "docker", "WAREST_RESTART_MODE": "exec"}, Restart{Mode: "exec", ExitCode: 1}},
		{"exit code", map[string]string{"WAREST_RESTART_MODE": "exit", "WAREST_RESTART_EXIT_CODE": "75"}, Restart{Mode: "exit", ExitCode: 75}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := loadRestart(env(lookup(c.env)))
			if err != nil || got != c.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
	for _, bad := range []map[string]string{{"WAREST_RESTART_MODE": "reboot"}, {"WAREST_RESTART_EXIT_CODE": "200"}, {"WAREST_RESTART_EXIT_CODE": "x"}} {
		if _, err := loadRestart(env(lookup(bad))); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}
