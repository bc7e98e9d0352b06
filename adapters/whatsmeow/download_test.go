package whatsmeow

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"os"
	"sync"
	"testing"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waMmsRetry"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"go.mau.fi/whatsmeow/util/gcmutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"google.golang.org/protobuf/proto"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
)

// phoneCDN fakes the CDN and the sender's phone: paths it holds serve their bytes,
// others answer 410; a retry receipt makes the phone re-upload to newPath (or
// answer result when it cannot), as an encrypted MediaRetry event.
type phoneCDN struct {
	mu      sync.Mutex
	files   map[string][]byte
	newPath string
	result  waMmsRetry.MediaRetryNotification_ResultType
	retries *retryBook
	asked   []*types.MessageInfo
	paths   []string
}

func (c *phoneCDN) DownloadMediaWithPathToFile(_ context.Context, path string, _, _, mediaKey []byte, mt wm.MediaType, _ string, _ bool, f wm.File) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paths = append(c.paths, path+" "+string(mt))
	data, ok := c.files[path]
	if !ok {
		return wm.ErrMediaDownloadFailedWith410
	}
	_, err := f.Write(data)
	return err
}

func (c *phoneCDN) SendMediaRetryReceipt(_ context.Context, info *types.MessageInfo, mediaKey []byte) error {
	c.mu.Lock()
	c.asked = append(c.asked, info)
	c.mu.Unlock()
	plain, _ := proto.Marshal(&waMmsRetry.MediaRetryNotification{StanzaID: proto.String(info.ID), DirectPath: proto.String(c.newPath),
		Result: c.result.Enum()})
	iv := make([]byte, 12)
	_, _ = rand.Read(iv)
	key := hkdfutil.SHA256(mediaKey, nil, []byte("WhatsApp Media Retry Notification"), 32)
	ct, err := gcmutil.Encrypt(key, iv, plain, []byte(info.ID))
	if err != nil {
		return err
	}
	go c.retries.deliver(&events.MediaRetry{Ciphertext: ct, IV: iv, MessageID: info.ID, ChatID: info.Chat})
	return nil
}

func received(path string) message.Inbound {
	return message.Inbound{ID: "3EB0PHOTO", SessionID: "s1", Chat: chat.UserJID("6281300000003"),
		Sender: chat.Party{JID: chat.UserJID("6281300000003")}, Content: message.Content{Kind: message.KindImage,
			Media: &message.Media{MIME: "image/jpeg", DirectPath: path, MediaKey: bytes.Repeat([]byte{7}, 32)}}}
}

func downloadTo(t *testing.T, c *phoneCDN, m message.Inbound) ([]byte, error) {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "media")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := download(t.Context(), c, c.retries, m, f); err != nil {
		return nil, err
	}
	_, _ = f.Seek(0, io.SeekStart)
	return io.ReadAll(f)
}

func TestDownload_FreshMediaNeedsNoRetry(t *testing.T) {
	t.Parallel()
	c := &phoneCDN{files: map[string][]byte{"/v/fresh": []byte("jpeg")}, retries: newRetryBook()}
	got, err := downloadTo(t, c, received("/v/fresh"))
	if err != nil || string(got) != "jpeg" {
		t.Fatalf("download = %q, %v", got, err)
	}
	if len(c.asked) != 0 || c.paths[0] != "/v/fresh "+string(wm.MediaImage) {
		t.Fatalf("asked %d re-uploads, fetched %v", len(c.asked), c.paths)
	}
}

func TestDownload_ExpiredMediaIsReuploadedByThePhone(t *testing.T) {
	t.Parallel()
	c := &phoneCDN{files: map[string][]byte{"/v/new": []byte("re-uploaded jpeg")}, newPath: "/v/new",
		result: waMmsRetry.MediaRetryNotification_SUCCESS, retries: newRetryBook()}
	got, err := downloadTo(t, c, received("/v/expired"))
	if err != nil || string(got) != "re-uploaded jpeg" {
		t.Fatalf("download = %q, %v", got, err)
	}
	if len(c.asked) != 1 {
		t.Fatalf("asked %d re-uploads, want 1", len(c.asked))
	}
	a := c.asked[0]
	if a.ID != "3EB0PHOTO" || a.Chat.String() != "6281300000003@s.whatsapp.net" || a.IsFromMe || a.IsGroup {
		t.Fatalf("retry receipt about %+v", a)
	}
	if len(c.paths) != 2 || c.paths[1] != "/v/new "+string(wm.MediaImage) {
		t.Fatalf("fetched %v, want the expired path then the new one", c.paths)
	}
}

func TestDownload_MediaThePhoneNoLongerHasIsNotFound(t *testing.T) {
	t.Parallel()
	c := &phoneCDN{files: map[string][]byte{}, result: waMmsRetry.MediaRetryNotification_NOT_FOUND, retries: newRetryBook()}
	if _, err := downloadTo(t, c, received("/v/expired")); !fault.Is(err, fault.KindNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	if _, err := downloadTo(t, c, message.Inbound{ID: "x", Content: message.Content{Kind: message.KindText}}); !fault.Is(err, fault.KindInvalid) {
		t.Fatalf("a text message: %v, want invalid", err)
	}
}
