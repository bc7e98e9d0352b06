// Package remote shares one sandbox network between processes over loopback HTTP:
// a Server exposes a network's ports, and a Client implements the same ports for
// a gateway in another process. Calls are JSON posts; events flow back on one
// streamed response of JSON lines per client, and each event is acknowledged only
// after the gateway's sink stored it, so the network redelivers what was not.
package remote

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/warest-go/warest/domain/chat"
	"github.com/warest-go/warest/domain/fault"
	"github.com/warest-go/warest/domain/message"
	"github.com/warest-go/warest/ports"
)

// Network is everything a sandbox network offers, locally or through a Client.
type Network interface {
	ports.Transport
	ports.SandboxNetwork
	ports.Groups
	ports.Profiles
	ports.Contacts
	ports.Calls
}

// args carries the arguments of every call; each call reads the fields it needs.
type args struct {
	Client   string `json:",omitzero"`
	Session  string `json:",omitzero"`
	Phone    string `json:",omitzero"`
	PushName string `json:",omitzero"`
	QR       string `json:",omitzero"`
	Code     string `json:",omitzero"`
	Reason   string `json:",omitzero"`
	Text     string `json:",omitzero"`
	State    string `json:",omitzero"`
	Chat     chat.JID
	Sender   chat.JID
	IDs      []string   `json:",omitzero"`
	Phones   []string   `json:",omitzero"`
	Who      []chat.JID `json:",omitzero"`
	At       time.Time  `json:",omitzero"`
	Flag     bool       `json:",omitzero"`
	Bytes    []byte     `json:",omitzero"`

	Message       message.Outbound           `json:",omitzero"`
	Target        message.Reference          `json:",omitzero"`
	MessageChange ports.MessageChange        `json:",omitzero"`
	ChatChange    ports.ChatChange           `json:",omitzero"`
	GroupSpec     ports.GroupSpec            `json:",omitzero"`
	GroupChange   ports.GroupChange          `json:",omitzero"`
	GroupAction   ports.GroupAction          `json:",omitzero"`
	Privacy       ports.Privacy              `json:",omitzero"`
	Business      *ports.BusinessProfile     `json:",omitzero"`
	Contact       ports.SandboxContact       `json:",omitzero"`
	Inbound       ports.SandboxInbound       `json:",omitzero"`
	Presence      ports.SandboxPresence      `json:",omitzero"`
	Group         ports.SandboxGroup         `json:",omitzero"`
	Faults        ports.SandboxFaults        `json:",omitzero"`
	Call          ports.SandboxCall          `json:",omitzero"`
	History       ports.SandboxHistory       `json:",omitzero"`
	Undecryptable ports.SandboxUndecryptable `json:",omitzero"`
}

// reply is a call's answer: a result or an error.
type reply struct {
	Result json.RawMessage `json:",omitzero"`
	Error  *wireError      `json:",omitzero"`
}

// wireError keeps a fault's kind and reason across the wire.
type wireError struct {
	Kind   fault.Kind
	Reason fault.Reason
	Msg    string
}

func toWire(err error) *wireError {
	if fe, ok := fault.As(err); ok {
		return &wireError{Kind: fe.Kind, Reason: fe.Reason, Msg: fe.Error()}
	}
	return &wireError{Msg: err.Error()}
}

func (e *wireError) err() error {
	if e.Kind == fault.KindUnknown {
		return errors.New(e.Msg)
	}
	return &fault.Error{Kind: e.Kind, Reason: e.Reason, Msg: e.Msg}
}

// qrResult, joinResult and pictureResult carry multi-value results.
type qrResult struct {
	Code string
	OK   bool
}

type joinResult struct {
	Group   chat.JID
	Pending bool
}

type pictureResult struct {
	ID, URL string
}

// frame is one event on the stream; hello is the first line of a stream.
type frame struct {
	ID      uint64 `json:",omitzero"`
	Session string `json:",omitzero"`
	Type    string `json:",omitzero"`
	Event   json.RawMessage
	Hello   bool `json:",omitzero"`
}

// ack answers a frame: Error is empty when the sink stored the event.
type ack struct {
	Client string
	ID     uint64
	Error  string `json:",omitzero"`
}

// eventTypes decode each TransportEvent variant by its Go type name.
var eventTypes = map[string]func([]byte) (ports.TransportEvent, error){
	"TransportQR":                decode[ports.TransportQR],
	"TransportPaired":            decode[ports.TransportPaired],
	"TransportConnected":         decode[ports.TransportConnected],
	"TransportDisconnected":      decode[ports.TransportDisconnected],
	"TransportLoggedOut":         decode[ports.TransportLoggedOut],
	"TransportReplaced":          decode[ports.TransportReplaced],
	"TransportMessage":           decode[ports.TransportMessage],
	"TransportReceipt":           decode[ports.TransportReceipt],
	"TransportPresence":          decode[ports.TransportPresence],
	"TransportChatPresence":      decode[ports.TransportChatPresence],
	"TransportGroupParticipants": decode[ports.TransportGroupParticipants],
	"TransportGroupUpdate":       decode[ports.TransportGroupUpdate],
	"TransportJoinedGroup":       decode[ports.TransportJoinedGroup],
	"TransportGroupJoinRequest":  decode[ports.TransportGroupJoinRequest],
	"TransportCall":              decode[ports.TransportCall],
	"TransportHistorySync":       decode[ports.TransportHistorySync],
	"TransportUndecryptable":     decode[ports.TransportUndecryptable],
}

func decode[T ports.TransportEvent](raw []byte) (ports.TransportEvent, error) {
	var ev T
	err := json.Unmarshal(raw, &ev)
	return ev, err
}

func encodeEvent(ev ports.TransportEvent) (string, json.RawMessage, error) {
	name := reflect.TypeOf(ev).Name()
	if _, ok := eventTypes[name]; !ok {
		return "", nil, fmt.Errorf("remote: unknown event type %T", ev)
	}
	raw, err := json.Marshal(ev)
	return name, raw, err
}

func decodeEvent(f frame) (ports.TransportEvent, error) {
	dec, ok := eventTypes[f.Type]
	if !ok {
		return nil, fmt.Errorf("remote: unknown event type %q", f.Type)
	}
	return dec(f.Event)
}
