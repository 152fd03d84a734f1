package bench

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A language model writes the words, names, places and publishers of one
// language. The head of each list is measured from the real fixtures
// (Profile.Vocab); ranks past the measured head are synthesised from a
// syllable model, deterministically from the rank, so that the vocabulary
// grows with the corpus as a real catalogue's does (Heaps' law) while the
// generator keeps no per-word state.
type langModel struct {
	code    string // MARC language code, 008/35-37
	country string // 008/15-17 place of publication
	isbn    string // ISBN registration group
	latin   bool   // written in Latin script
	words   []string
	sur     []string
	fore    []string
	places  []string
	pubs    []string
	syl     syllables
	// literature classes: LC class and Dewey number for belles-lettres in
	// this language.
	litLC, litDewey string
}

// syllables is a syllable model: words are one to four syllables of
// onset + nucleus (+ coda).
type syllables struct {
	onsets, nuclei, codas []string
	// noSpace is true for scripts written without spaces between words.
	noSpace bool
}

func (s *syllables) word(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(s.onsets[r.IntN(len(s.onsets))])
		b.WriteString(s.nuclei[r.IntN(len(s.nuclei))])
		if len(s.codas) > 0 && r.IntN(3) == 0 {
			b.WriteString(s.codas[r.IntN(len(s.codas))])
		}
	}
	return b.String()
}

func split(s string) []string { return strings.Fields(s) }

// The syllable models below were written for this package from the
// phonotactics of each language; they are not taken from any word list.
var syllableModels = map[string]syllables{
	"eng": syl("b c d f g h l m n p r s t w br ch cl cr dr fl gr pl pr sh st str th tr wh",
		"a e i o u ea ee ai oa ou", "n r s t l nd nt rd st ng ck ll ss ght"),
	"ger": syl("b d f g h k l m n p r s t w z br fr gr kr pf sch schl schr sp st str tr",
		"a e i o u ä ö ü au ei ie eu", "n r s t l ch ck ng nd nt rt st tz ß"),
	"fre": syl("b c d f g j l m n p r s t v ch cr gr pl pr tr",
		"a e i o u é è ê ai au eau ou oi ie", "n r s t l nt rs"),
	"spa": syl("b c d f g j l m n p r s t v ch ll br cr gr pr tr",
		"a e i o u á é í ó ú ia ie ue io", "n r s l z"),
	"rus": syl("б в г д ж з к л м н п р с т ф х ц ч ш щ бр вл гр др кр пр ст тр",
		"а е и о у ы я ю ё", "н р с т л й в к"),
	"ara": syl("ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي",
		"ا و ي", "ب ت د ر س ل م ن ة"),
	"chi": {noSpace: true},
}

func syl(onsets, nuclei, codas string) syllables {
	return syllables{onsets: split(onsets), nuclei: split(nuclei), codas: split(codas)}
}

// cjkCommon is the range of CJK Unified Ideographs the Chinese model draws
// its tail from, past the characters measured from the fixtures.
const cjkFirst, cjkCount = 0x4E00, 0x51A6 // U+4E00..U+9FA5

func (m *langModel) synthWord(r *rand.Rand) string {
	if m.code == "chi" {
		n := 1 + r.IntN(2)
		var b strings.Builder
		for range n {
			if len(m.words) > 0 && r.IntN(4) != 0 {
				b.WriteString(m.words[r.IntN(len(m.words))])
			} else {
				b.WriteRune(rune(cjkFirst + r.IntN(cjkCount)))
			}
		}
		return b.String()
	}
	return m.syl.word(r, 1+r.IntN(3))
}

// languages returns the language models built from p, in the order of
// vocabLangs.
func languages(p *Profile) []*langModel {
	meta := map[string][5]string{
		// country, ISBN group, LC literature class, Dewey literature
		"eng": {"enk", "0", "PR", "823"},
		"ger": {"gw ", "3", "PT", "833"},
		"fre": {"fr ", "2", "PQ", "843"},
		"spa": {"sp ", "84", "PQ", "863"},
		"rus": {"ru ", "5", "PG", "891.73"},
		"chi": {"cc ", "7", "PL", "895.13"},
		"ara": {"ua ", "977", "PJ", "892.73"},
	}
	var out []*langModel
	for _, code := range vocabLangs {
		v := p.Vocab[code]
		md := meta[code]
		m := &langModel{code: code, country: md[0], isbn: md[1], litLC: md[2], litDewey: md[3],
			latin: isLatinLang(code), syl: syllableModels[code]}
		m.words = values(v.Words)
		m.sur = values(v.Surnames)
		m.fore = values(v.Forenames)
		m.places = values(v.Places)
		m.pubs = values(v.Publishers)
		out = append(out, m)
	}
	return out
}

func values(ws []Weighted) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.V
	}
	return out
}

// capitalize returns s with its first letter upper-cased.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Romanisation tables, used for the main fields of non-Latin records that
// carry their original script in 880 fields. Cyrillic follows ALA-LC
// (without diacritics); Arabic is a simplified ALA-LC; Chinese has no
// table here, so Han characters are given pseudo-pinyin syllables chosen by
// code point (readable, not real readings).
var cyrLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

var araLatin = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h",
	'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s",
	'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l",
	'م': "m", 'ن': "n", 'ه': "h", 'ة': "ah", 'و': "w", 'ي': "y", 'ى': "á", 'ء': "",
}

var pinyin = split("an bai bei ben bian bo cai chang chen cheng chu da dao de deng di dian dong du duan fa fang fei " +
	"feng fu gao ge gong guo hai han hao he hong hua huang hui ji jia jian jiang jin jing ju kai kang ke " +
	"kong lai lan li lian liang lin liu long lu ma mei men min ming mu nan neng ping qi qian qing ren " +
	"shan shang shen sheng shi shu si song tai tian tong wan wang wei wen wu xi xia xian xiang xiao xin " +
	"xing xue yan yang ye yi yin yong you yu yuan yue zai zhang zhao zheng zhi zhong zhou zhu")

// romanize returns the romanised form of s.
func romanize(s string) string {
	var b strings.Builder
	for _, r := range s {
		lr := unicode.ToLower(r)
		switch {
		case cyrLatin[lr] != "" || lr == 'ъ' || lr == 'ь':
			t := cyrLatin[lr]
			if lr != r && t != "" {
				t = strings.ToUpper(t[:1]) + t[1:]
			}
			b.WriteString(t)
		case unicode.Is(unicode.Arabic, r):
			b.WriteString(araLatin[r])
		case unicode.Is(unicode.Han, r):
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pinyin[int(r)%len(pinyin)])
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
