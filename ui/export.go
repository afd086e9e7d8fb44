package ui

import (
	"context"
	"fmt"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// onExport asks where to save the day's report, then writes it.
func (r *reviewTab) onExport(format string) {
	day := r.day
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, r.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		go func() {
			err := r.export(day, format, w.URI().Path(), w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			r.do(func() { r.exported(w.URI().Path(), err) })
		}()
	}, r.win)
	d.SetFileName(fmt.Sprintf("passdesk-%s.%s", day.Format("2006-01-02"), format))
	d.Resize(r.win.Canvas().Size())
	d.Show()
}

// export writes the day as "csv" or "pdf" to w; the core audits it.
func (r *reviewTab) export(day time.Time, format, where string, w io.Writer) error {
	return r.core.Export(context.WithoutCancel(r.ctx), r.by, day, format, where, w)
}

func (r *reviewTab) exported(path string, err error) {
	defer r.onExported(err)
	if err != nil {
		dialog.ShowError(fmt.Errorf("%s: %w", r.t("review.export_failed"), err), r.win)
		return
	}
	r.toast(r.t("review.exported", path))
}
