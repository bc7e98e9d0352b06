package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warest-go/warest/adapters/storage"
	"github.com/warest-go/warest/domain/media"
)

func TestConfigStorage(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(lookup(map[string]string{"PORT": "9000"}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Storage
	if s.Driver != "local" || s.BaseURL != "http://localhost:9000" || s.LinkTTL != 15*time.Minute || s.TempTTL != 5*time.Minute ||
		s.Public || s.PublicRoot != filepath.Join("data", "public", "storages") {
		t.Errorf("defaults %+v", s)
	}
	if !s.Mirror.Policy.Enabled || len(s.Mirror.Policy.Allow) != len(media.DefaultMirrorTypes) || s.Mirror.Wait != 10*time.Second ||
		s.Mirror.LinkTTL != s.LinkTTL {
		t.Errorf("mirror defaults %+v", s.Mirror)
	}

	c, err = loadConfig(lookup(map[string]string{"WAREST_STORAGE_DRIVER": "S3", "WAREST_STORAGE_S3_BUCKET": "media",
		"WAREST_STORAGE_S3_ENDPOINT": "http://minio:9000", "WAREST_STORAGE_S3_KEY": "ak", "WAREST_STORAGE_S3_SECRET": "sk",
		"WAREST_STORAGE_S3_FORCE_PATH_STYLE": "true", "WAREST_STORAGE_S3_SIGNED_TTL_SEC": "60", "WAREST_STORAGE_TEMP_TTL_SEC": "5",
		"WAREST_PUBLIC_URL": "https://wa.example.com/", "WAREST_DOWNLOAD_MEDIA_RECEIVED": "false",
		"WAREST_DOWNLOAD_MEDIA_ALLOW_MIMETYPES": "image/*,application/pdf"}))
	if err != nil {
		t.Fatal(err)
	}
	s = c.Storage
	want := storage.S3Config{Endpoint: "http://minio:9000", Region: "auto", Bucket: "media", AccessKey: "ak", SecretKey: "sk", PathStyle: true}
	if s.Driver != "s3" || s.S3 != want || s.LinkTTL != time.Minute || s.BaseURL != "https://wa.example.com" {
		t.Errorf("s3 %+v", s)
	}
	if s.TempTTL != time.Minute {
		t.Errorf("temp TTL %v, want the 60 s minimum", s.TempTTL)
	}
	if s.Mirror.Policy.Enabled || strings.Join(s.Mirror.Policy.Allow, " ") != "image/* application/pdf" {
		t.Errorf("mirror %+v", s.Mirror.Policy)
	}

	for env, name := range map[string]string{"ftp": "WAREST_STORAGE_DRIVER", "s3": "WAREST_STORAGE_S3_BUCKET"} {
		if _, err := loadConfig(lookup(map[string]string{"WAREST_STORAGE_DRIVER": env})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("driver %s: %v, want an error naming %s", env, err, name)
		}
	}
	c, err = loadConfig(lookup(map[string]string{"WAREST_STORAGE_LOCAL_DEFAULT_VISIBILITY": "public", "WAREST_STORAGE_LOCAL_PUBLIC_PATH": "/srv/pub"}))
	if err != nil || !c.Storage.Public || c.Storage.PublicRoot != "/srv/pub" {
		t.Errorf("public visibility %+v %v", c.Storage, err)
	}
	if _, err := loadConfig(lookup(map[string]string{"WAREST_STORAGE_LOCAL_DEFAULT_VISIBILITY": "open"})); err == nil {
		t.Error("an unknown visibility was accepted")
	}
}
