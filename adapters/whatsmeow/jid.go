// Package whatsmeow is the real WhatsApp transport. This file converts addresses at the
// boundary: nothing above this package sees a whatsmeow type.
package whatsmeow

import (
	"go.mau.fi/whatsmeow/types"

	"github.com/warest-go/warest/domain/chat"
)

// toJID converts a domain address to a whatsmeow JID (no device part).
func toJID(j chat.JID) types.JID {
	return types.NewJID(j.User, j.Server)
}

// toDomain converts a whatsmeow JID to a domain address: the device and agent parts
// are dropped, hosted servers fold into their plain equivalents, and the legacy
// c.us server becomes s.whatsapp.net.
func toDomain(j types.JID) chat.JID {
	server := j.Server
	switch server {
	case types.LegacyUserServer, types.HostedServer:
		server = types.DefaultUserServer
	case types.HostedLIDServer:
		server = types.HiddenUserServer
	}
	return chat.JID{User: j.User, Server: server}
}
