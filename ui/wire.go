package ui

import "passdesk/app"

// The Kiosk is the one place that wires screens together: each gets the
// slice of the core, the window, the translator and the callbacks it uses.

// showManualEntry opens the manual entry form for by.
func (k *Kiosk) showManualEntry(by app.Person) {
	f := &manualForm{core: k.eng, ctx: k.ctx, win: k.win, t: k.t, do: k.do, toast: k.toast, by: by}
	f.onDone = func(err error) { k.done("manual", err) }
	f.onClose = func() {
		if k.manual == f {
			k.manual = nil
		}
	}
	f.show()
	k.manual = f
}

// newReviewTab wires the day's review for by, starting on today.
func (k *Kiosk) newReviewTab(by app.Person) *reviewTab {
	r := &reviewTab{core: k.eng, ctx: k.ctx, win: k.win, cat: k.cat, lang: k.lang, t: k.t, do: k.do, toast: k.toast,
		now: k.o.Now, by: by, limit: reviewLimit}
	r.onLoaded = func(err error) { k.done("review", err) }
	r.onExported = func(err error) { k.done("export", err) }
	r.setToday()
	return r
}

// newStaffTab wires the staff tab for by.
func (k *Kiosk) newStaffTab(by app.Person) *staffTab {
	return newStaffTab(k.ctx, k.eng, k.win, k.t, k.do, k.toast, func(err error) { k.done("staff", err) }, by)
}

// newSettingsTab wires the settings tab for by; a change of language
// rebuilds the manager screen and comes back to the settings.
func (k *Kiosk) newSettingsTab(by app.Person) *settingsTab {
	s := &settingsTab{core: k.eng, ctx: k.ctx, cat: k.cat, lang: k.lang, t: k.t, do: k.do, toast: k.toast,
		systemLanguage: k.o.SystemLanguage, onReload: k.o.Reload, by: by}
	s.onDone = func(err error) { k.done("settings", err) }
	s.languageChanged = func(lang string) {
		k.SetLanguage(lang) // rebuilds the manager screen
		if k.manager != nil {
			k.manager.tabs.SelectIndex(1) // back on the settings
		}
	}
	return s
}
