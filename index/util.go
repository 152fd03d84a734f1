package index

import "fmt"

func errNoDoc(doc uint32) error { return fmt.Errorf("index: no document %d in snapshot", doc) }
