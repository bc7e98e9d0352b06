package fault

// Why a profile, contact or call operation failed; WhatsApp's refusals among them.
const (
	ReasonPictureNotFound  Reason = "picture_not_found"  // no profile picture, or one hidden by privacy
	ReasonBusinessNotFound Reason = "business_not_found" // not a business account
	ReasonPrivacyHidden    Reason = "privacy_hidden"     // the person's privacy settings hide it
	ReasonProfileRefused   Reason = "profile_refused"    // WhatsApp refused a profile change
	ReasonCallNotFound     Reason = "call_not_found"     // no such call ringing for the session
	ReasonWhatsAppRefused  Reason = "whatsapp_refused"   // WhatsApp failed a request for a reason it did not name
)
