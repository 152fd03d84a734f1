// Package marc reads and writes MARC 21 bibliographic records: ISO 2709
// ("MARC binary", MARC-8 or UTF-8), MARCXML (the Library of Congress
// MARC21 slim schema), MARC-in-JSON and, for output, the MARCMaker line
// format.
//
// The readers are modelled on encoding/csv: NewReader (ISO 2709),
// NewXMLReader and NewJSONReader return a reader whose Read method returns
// one *Record per call and io.EOF at the end. NewDecoder detects gzip or
// zstd compression and the format from the first bytes of the input. Every
// reader is lenient by default: it recovers from the defects found in real
// catalogue dumps, reports each as a warning (a *ParseError carrying the
// record number, byte offset and tag; see Warnings) and counts every record
// found as ok, salvaged or rejected (see Stats). With Strict set, every
// defect rejects its record. The errors are values: test for the Err*
// sentinels with errors.Is.
//
// # ISO 2709
//
// An ISO 2709 record is a 24-byte leader, a directory of 12-byte entries,
// one per field, and the data area:
//
//	leader (24 bytes)
//	+-------+-+-+-+-+-+-+-+-------+-+-+-+-------+
//	|00-04  |5|6|7|8|9|A|B|12-16  |17..19|20-23 |
//	+-------+-+-+-+-+-+-+-+-------+------+------+
//	 record  | | | | |  | base address  | entry map "4500":
//	 length  | | | | |  | of data       |   4 = length of field length
//	 (bytes) | | | | |  indicator count "2", subfield code length "2"
//	         | | | | leader/09 character coding: ' ' MARC-8, 'a' UTF-8
//	         | | | type of control
//	         | | bibliographic level
//	         | type of record
//	         record status
//
//	directory: one entry per field, then a field terminator (0x1E)
//	+-----+--------+-----------+-----+--------+-----------+----+
//	| tag | length | offset    | tag | length | offset    | FT |
//	| 3   | 4      | 5 digits  | ... |        |           |    |
//	+-----+--------+-----------+-----+--------+-----------+----+
//	  length counts the field's bytes including its terminator;
//	  offset is from the base address.
//
//	data area, at the base address
//	+----------------+----+-------------------------------------------+----+----+
//	| control field  | FT | i1 i2 US a value US b value ...           | FT | RT |
//	| (tags 00X)     |    | data field: 2 indicators, subfields       |    |    |
//	+----------------+----+-------------------------------------------+----+----+
//	  US = 0x1F subfield delimiter, FT = 0x1E field terminator,
//	  RT = 0x1D record terminator
//
// Reader trusts the structure only as far as it holds together: a record
// ends at its record terminator whatever the leader says, the directory
// ends at its terminator whatever the base address says, and fields whose
// directory lengths or offsets disagree with the field terminators (as in
// dumps that count characters rather than bytes) are re-synchronised on the
// terminators. Writer computes the lengths, offsets and base address.
//
// # Character sets
//
// Records come out of every reader as UTF-8. An ISO 2709 record whose
// leader/09 is blank is MARC-8 and is converted (AppendMARC8), its leader/09
// set to 'a'; Reader.Charset forces either reading, or CharsetRaw keeps the
// bytes as read. Invalid input becomes U+FFFD, with a warning.
//
// # Records and memory
//
// A Record holds byte slices. With ReuseRecord set, a reader returns the
// same Record each time, its slices pointing into the reader's buffers and
// valid until the next Read; reading well-formed UTF-8 ISO 2709 then costs
// no allocation. Otherwise each record is freshly allocated. Call
// Record.Clone to keep a reused record.
package marc
