package bench

import (
	"fmt"
	"io"

	"github.com/colophon-search/colophon/marc"
)

// textWriter returns the marc package's MARCXML or MARC-in-JSON writer
// and the function that ends its document.
func textWriter(w io.Writer, format marc.Format) (recordWriter, func() error, error) {
	switch format {
	case marc.FormatMARCXML:
		xw := marc.NewXMLWriter(w)
		return xw, xw.Close, nil
	case marc.FormatJSON:
		jw := marc.NewJSONWriter(w)
		return jw, jw.Close, nil
	}
	return nil, nil, fmt.Errorf("bench: cannot write format %v", format)
}
