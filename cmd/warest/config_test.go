package main

import (
	"strings"
	"testing"
	"time"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestConfigDefaultsFollowWAREST(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != "7308" || c.DBClient != "sqlite" || c.SQLitePath != "data/warest.sqlite" || c.DefaultCountryCode != "62" {
		t.Errorf("defaults: %+v", c)
	}
	if c.WebhookSecret != "supersecret" || c.WebhookTries != 3 || c.WebhookTO != 10*time.Second || c.WebhookSHA2 != 256 {
		t.Errorf("webhook defaults: %+v", c)
	}
}

func TestConfigReadsAliasesAndPostgresParts(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(map[string]string{
		"APP_PORT": "9000", "WAREST_DB_CLIENT": "pg", "WAREST_DB_HOST": "db", "WAREST_DB_USER": "u",
		"WAREST_DB_PASSWORD": "p@ss", "WAREST_DB_DATABASE": "wa", "WAREST_DEFAULT_COUNTRY_CODE": "1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != "9000" || c.DBClient != "postgres" || c.DefaultCountryCode != "1" {
		t.Errorf("got %+v", c)
	}
	if c.PostgresURL != "postgres://u:p%40ss@db:5432/wa?sslmode=disable" {
		t.Errorf("postgres url %q", c.PostgresURL)
	}
}

func TestConfigRejectsBadValuesNamingTheVariable(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(lookup(map[string]string{
		"WAREST_DB_CLIENT": "mongo", "PORT": "http", "WAREST_WEBHOOK_TIMEOUT_MS": "-5", "WAREST_DEFAULT_COUNTRY_CODE": "+62",
	}))
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, name := range []string{"WAREST_DB_CLIENT", "PORT", "WAREST_WEBHOOK_TIMEOUT_MS", "WAREST_DEFAULT_COUNTRY_CODE"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}
