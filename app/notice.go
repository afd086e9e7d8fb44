package app

import "time"

// NoticeCode names a one-off problem for the manager. The window
// translates the code; Detail carries what the code cannot (an error's
// words, a file name, a count), shown as it is.
type NoticeCode string

// The notices the engine raises.
const (
	NoticeConfigLastGood     NoticeCode = "config_last_good"    // the configuration file is damaged: the last good copy is in use
	NoticeConfigNotKept      NoticeCode = "config_not_kept"     // the good configuration could not be copied
	NoticeNoVenue            NoticeCode = "no_venue"            // venue or kiosk ID missing: the service stores no entries
	NoticeNoRoots            NoticeCode = "no_roots"            // no root pinned: every pass is denied offline
	NoticeListUnreadable     NoticeCode = "list_unreadable"     // a list kept on disk could not be read
	NoticeListStoredRefused  NoticeCode = "list_stored_refused" // a list kept on disk no longer verifies
	NoticeListNotKept        NoticeCode = "list_not_kept"       // a list could not be kept on disk
	NoticeListFetchFailed    NoticeCode = "list_fetch_failed"   // the service would not give a list
	NoticeListRefused        NoticeCode = "list_refused"        // a list from the service was refused (forged, rolled back)
	NoticeClock              NoticeCode = "clock"               // the kiosk's clock disagrees with the service's
	NoticeClockBehind        NoticeCode = "clock_behind"        // the kiosk's clock is behind the latest trusted time
	NoticeUploadQueue        NoticeCode = "upload_queue"        // the upload queue could not be read
	NoticeUploadRefused      NoticeCode = "upload_refused"      // the service refused an upload
	NoticeUploadNotMarked    NoticeCode = "upload_not_marked"   // uploaded entries could not be marked
	NoticeNotAudited         NoticeCode = "not_audited"         // an action happened but its audit row was not written
	NoticeRestart            NoticeCode = "restart"             // saved settings that take effect at the next start
	NoticePurgeFailed        NoticeCode = "purge_failed"        // old rows could not be purged
	NoticeOutageNotRecorded  NoticeCode = "outage_not_recorded" // an outage's start or end is not in the ledger
	NoticeVerifyRefused      NoticeCode = "verify_refused"      // the service answered a verify call with an error
	NoticeAlertDropped       NoticeCode = "alert_dropped"       // an alert could not be delivered
	NoticeServiceDisagrees   NoticeCode = "service_disagrees"   // the service admitted a pass the kiosk denied
	NoticeCredentialRejected NoticeCode = "credential_rejected" // the service does not accept this kiosk's credential
	NoticeLedger             NoticeCode = "ledger"              // the ledger's own notice (a damaged file moved aside)
	NoticeServiceConfig      NoticeCode = "service_config"      // the service's CA or the kiosk's credential cannot be used: offline only
)

// Notice is a one-off problem for the manager.
type Notice struct {
	Code   NoticeCode
	Detail string
}

// EventKind names a change of state worth telling an operator about.
type EventKind string

// Event kinds.
const (
	EventOutageStart      EventKind = "outage_start"
	EventOutageEnd        EventKind = "outage_end"
	EventListRefused      EventKind = "list_refused"
	EventListUpdated      EventKind = "list_updated"
	EventUpload           EventKind = "upload"
	EventClockWarning     EventKind = "clock_warning"
	EventServiceDisagrees EventKind = "service_disagrees"
	EventRecordingResumed EventKind = "recording_resumed" // space is back after a full disk
)

// Event is a change of state worth telling an operator about.
type Event struct {
	Time     time.Time
	Kind     EventKind
	Detail   string
	OutageID int64
}
