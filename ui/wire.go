package ui

import "passdesk/app"

// The Kiosk is the one place that wires screens together: each gets the
// slice of the core, the window, the translator and the callbacks it uses.

// askPIN signs someone in and calls then with them; a manager may do
// anything staff may.
func (k *Kiosk) askPIN(need app.Role, then func(app.Person)) *pinPrompt {
	p := &pinPrompt{core: k.eng, ctx: k.ctx, win: k.win, t: k.t, do: k.do, after: k.o.After, need: need, then: then}
	p.onDone = func(err error) { k.done("pin", err) }
	p.onClose = func() {
		if k.pin == p {
			k.pin = nil
		}
	}
	p.show()
	k.pin = p
	p.countdown()
	return p
}

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

// showManager opens the manager's area for by.
func (k *Kiosk) showManager(by app.Person) {
	if k.stopVerdict != nil {
		k.clearVerdict()
	}
	k.screen = screenManager
	if k.sc != nil {
		k.sc.Pause(true) // nobody would see a verdict behind the manager's area
	}
	k.manager = k.newManagerScreen(by)
	c := k.win.Canvas()
	c.SetOnTypedRune(nil)
	c.SetOnTypedKey(nil)
	k.win.SetContent(k.manager.build())
}

// newManagerScreen wires the manager's area for by, with its three tabs.
func (k *Kiosk) newManagerScreen(by app.Person) *managerScreen {
	return &managerScreen{win: k.win, t: k.t, kioskMode: k.o.KioskMode, onBack: k.showScan, onQuit: k.o.Quit, by: by,
		review: k.newReviewTab(by), settings: k.newSettingsTab(by), staff: k.newStaffTab(by)}
}

// needsFirstManager is true when nobody can sign in yet.
func (k *Kiosk) needsFirstManager() bool {
	need, err := k.eng.NeedsSetup(k.ctx)
	if err != nil {
		k.o.Logf("passdesk: listing staff: %v", err)
		return false
	}
	return need
}

// showSetup puts the first-run setup up.
func (k *Kiosk) showSetup() {
	k.screen = screenSetup
	if k.sc != nil {
		k.sc.Pause(true)
	}
	k.setup = &setupScreen{core: k.eng, ctx: k.ctx, t: k.t, do: k.do, onReload: k.o.Reload,
		needConfig: k.needsSetup(), needPerson: k.needsFirstManager()}
	k.setup.askManager = func(then func(app.Person)) { k.askPIN(app.Manager, then) }
	k.setup.onDone = func(err error) { k.done("setup", err) }
	k.setup.onFinished = func() {
		k.SetLanguage(k.eng.Config().Language)
		k.showScan()
	}
	c := k.win.Canvas()
	c.SetOnTypedRune(nil)
	c.SetOnTypedKey(nil)
	k.win.SetContent(k.setup.build())
}

// newScanScreen wires the scan screen: typed codes go to the engine, and
// its buttons ask for a PIN before a manual entry or the manager's area.
func (k *Kiosk) newScanScreen() *scanScreen {
	return &scanScreen{core: k.eng, sc: k.sc, t: k.t, now: k.o.Now, onSubmit: k.submit,
		verdictUp:     func() bool { return k.verdictUp },
		onDismiss:     k.clearVerdict,
		onManualEntry: func() { k.askPIN(app.Staff, k.showManualEntry) },
		onManager:     func() { k.askPIN(app.Manager, k.showManager) },
	}
}
