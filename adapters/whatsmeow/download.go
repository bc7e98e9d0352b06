package whatsmeow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	wm "go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waMmsRetry"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

var _ ports.MediaDownloader = (*Transport)(nil)

// mediaClient is what a download needs of a whatsmeow client (the seam tests fake).
type mediaClient interface {
	DownloadMediaWithPathToFile(ctx context.Context, directPath string, encFileHash, fileHash, mediaKey []byte,
		mediaType wm.MediaType, mmsType string, allowNoHash bool, file wm.File) error
	SendMediaRetryReceipt(ctx context.Context, message *types.MessageInfo, mediaKey []byte) error
}

// DownloadMedia fetches and decrypts received media into a temporary file, deleted
// when the returned reader is closed, so a large file never sits in memory.
func (t *Transport) DownloadMedia(ctx context.Context, m message.Inbound) (io.ReadCloser, error) {
	r, cli, err := t.client(m.SessionID)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "warest-media-*")
	if err != nil {
		return nil, fmt.Errorf("whatsmeow: media download: %w", err)
	}
	if err := download(ctx, cli, r.retries, m, f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return tempFile{f}, nil
}

// tempFile removes itself when closed.
type tempFile struct{ *os.File }

func (f tempFile) Close() error {
	err := f.File.Close()
	return errors.Join(err, os.Remove(f.Name()))
}

// download writes m's media to file. Media gone from the CDN (404 or 410, as it is
// after some weeks) is asked again from the sender's phone with a retry receipt;
// the phone's answer, a MediaRetry event, carries the new path.
func download(ctx context.Context, cli mediaClient, retries *retryBook, m message.Inbound, file wm.File) error {
	med := m.Content.Media
	mt, ok := mediaType(m.Content.Kind)
	if med == nil || !ok || med.DirectPath == "" {
		return fault.Invalid(fault.ReasonInvalidParameter, "message %s has no downloadable media", m.ID)
	}
	err := cli.DownloadMediaWithPathToFile(ctx, med.DirectPath, med.FileEncSHA256, med.FileSHA256, med.MediaKey, mt, "", false, file)
	if !errors.Is(err, wm.ErrMediaDownloadFailedWith404) && !errors.Is(err, wm.ErrMediaDownloadFailedWith410) {
		return err
	}
	answer, forget := retries.expect(m.ID)
	defer forget()
	info := &types.MessageInfo{ID: m.ID, MessageSource: types.MessageSource{Chat: toJID(m.Chat), Sender: toJID(m.Sender.JID),
		IsFromMe: m.FromMe, IsGroup: m.IsGroup()}}
	if err := cli.SendMediaRetryReceipt(ctx, info, med.MediaKey); err != nil {
		return fmt.Errorf("whatsmeow: ask for the media again: %w", err)
	}
	var evt *events.MediaRetry
	select {
	case evt = <-answer:
	case <-ctx.Done():
		return fmt.Errorf("whatsmeow: no re-upload of expired media: %w", ctx.Err())
	}
	notif, err := wm.DecryptMediaRetryNotification(evt, med.MediaKey)
	if err != nil {
		return fault.NotFound("", "media of message %s is no longer available: %v", m.ID, err)
	}
	if notif.GetResult() != waMmsRetry.MediaRetryNotification_SUCCESS || notif.GetDirectPath() == "" {
		return fault.NotFound("", "media of message %s is no longer available (%s)", m.ID, notif.GetResult())
	}
	if err := file.Truncate(0); err != nil {
		return err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return cli.DownloadMediaWithPathToFile(ctx, notif.GetDirectPath(), med.FileEncSHA256, med.FileSHA256, med.MediaKey, mt, "", false, file)
}

// retryBook hands MediaRetry events to the downloads waiting for them, by message id.
type retryBook struct {
	mu      sync.Mutex
	waiting map[string]chan *events.MediaRetry
}

func newRetryBook() *retryBook { return &retryBook{waiting: map[string]chan *events.MediaRetry{}} }

// expect returns where the answer about message id arrives, and a func to stop waiting.
func (b *retryBook) expect(id string) (<-chan *events.MediaRetry, func()) {
	ch := make(chan *events.MediaRetry, 1)
	b.mu.Lock()
	b.waiting[id] = ch
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		if b.waiting[id] == ch {
			delete(b.waiting, id)
		}
		b.mu.Unlock()
	}
}

// deliver passes a MediaRetry event to its waiting download, if any.
func (b *retryBook) deliver(evt *events.MediaRetry) {
	b.mu.Lock()
	ch := b.waiting[evt.MessageID]
	b.mu.Unlock()
	if ch != nil {
		select {
		case ch <- evt:
		default:
		}
	}
}
