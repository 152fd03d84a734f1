bi = """國国 學学 書书 圖图 館馆 們们 來来 時时 會会 這这 說说 對对 經经 東东 車车 門门 問问 開开 關关 長长 馬马 鳥鸟 魚鱼 語语 讀读 話话 記记 論论 華华 愛爱 電电 體体 氣气 漢汉 樂乐 萬万 為为 無无 見见 親亲 觀观 現现 質质 聽听 點点 區区 醫医 藝艺 雜杂 報报 紙纸 錄录 編编 輯辑 譯译 詩诗 詞词 龍龙 鄉乡 邊边 遠远 還还 進进 運运 過过 達达 選选 傳传 價价 個个 義义 業业 廣广 張张 將将 從从 寫写 實实 寶宝 應应 當当 變变 號号 師师 歲岁 歸归 貝贝 買买 賣卖 貨货 資资 費费 貿贸 員员 圓圆 園园 場场 壓压 塊块 堅坚 壞坏 聲声 處处 備备 夢梦 頭头 題题 顏颜 類类 風风 飛飞 飯饭 驗验 騎骑 黃黄 齊齐 齒齿 龜龟 億亿 儀仪 優优 兒儿 內内 兩两 冊册 劇剧 劉刘 勞劳 勝胜 勢势 動动 務务 協协 單单 衛卫 參参 雙双 嚴严 囑嘱 圍围 塵尘 墳坟 壯壮 壽寿 奪夺 奮奋 婦妇 媽妈 孫孙 寧宁 寬宽 審审 導导 層层 屬属 島岛 峽峡 帥帅 帶带 幫帮 庫库 廠厂 廳厅 彈弹 徑径 憂忧 戰战 戲戏 戶户 擇择 擁拥 擊击 數数 斷断 條条 極极 樓楼 標标 機机 權权 歐欧 歡欢 殘残 殺杀 決决 沒没 況况 淚泪 淺浅 滅灭 漁渔 潔洁 濟济 灣湾 災灾 煙烟 熱热 爭争 爺爷 牆墙 狀状 獨独 獎奖 環环 產产 畫画 療疗 監监 盤盘 眾众 礎础 確确 禮礼 禪禅 種种 稱称 穩稳 窮穷 競竞 筆笔 節节 簡简 糧粮 紀纪 約约 紅红 納纳 純纯 級级 組组 細细 終终 結结 給给 絕绝 統统 絲丝 維维 綠绿 網网 緊紧 線线 練练 總总 績绩 織织 續续 罰罚 羅罗 習习 聖圣 聯联 職职 肅肃 腦脑 臉脸 與与 興兴 舊旧 艦舰 蓋盖 虛虚 蟲虫 補补 裝装 規规 視视 覺觉 計计 討讨 訓训 設设 許许 訴诉 診诊 試试 誠诚 誤误 課课 調调 談谈 請请 諸诸 謝谢 證证 識识 議议 護护 讓让 貓猫 貧贫 責责 敗败 貴贵 貸贷 賞赏 賽赛 趕赶 趙赵 躍跃 軍军 軟软 較较 輕轻 輪轮 辦办 辭辞 農农 遲迟 適适 遺遗 郵邮 鄭郑 針针 鈴铃 銀银 銷销 鋼钢 錢钱 錯错 鍵键 鎮镇 鏡镜 鐵铁 閉闭 間间 閱阅 陽阳 陰阴 陳陈 陸陆 隊队 際际 隨随 險险 隱隐 雞鸡 雖虽 離离 難难 靈灵 韓韩 頁页 順顺 預预 領领 頻频 顧顾 顯显 飲饮 養养 驚惊 鬧闹 魯鲁 鮮鲜 麗丽 麥麦 齡龄""".split()
one = """於于 託托 跡迹 隻只 盡尽 豐丰 製制 複复 週周 遊游 雲云 須须 鬚须 餘余 黨党 範范 築筑 藥药 蘇苏 衝冲 莊庄 葉叶 團团 據据 發发 髮发 鬥斗 後后 臺台 歷历 曆历 鐘钟 裡里 裏里 麵面 幹干 闆板""".split()
t2s = {}
s2t = {}
for p in bi:
    assert len(p)==2, p
    t,s = p
    assert t not in t2s, t
    t2s[t]=s
    assert s not in s2t, s
    s2t[s]=t
for p in one:
    t,s=p
    assert t not in t2s, t
    t2s[t]=s
    s2t.pop(s, None)
bad = [s for s in s2t if s in t2s]
print("pairs", len(t2s), "bidirectional", len(s2t), "overlap", bad)
def fmt(d):
    items = sorted(d.items(), key=lambda kv: ord(kv[0]))
    lines=[]
    row=[]
    for a,b in items:
        row.append("{'%s', '%s'}" % (a,b))
        if len(row)==8:
            lines.append("\t"+", ".join(row)+",")
            row=[]
    if row: lines.append("\t"+", ".join(row)+",")
    return "\n".join(lines)
out = '''package analysis

// Traditional↔Simplified Han folding tables.
//
// Coverage and provenance: %d frequent Traditional characters and their
// Simplified forms, compiled by hand for Colophon from the one-to-one and
// many-to-one pairs of the Unicode Unihan kSimplifiedVariant /
// kTraditionalVariant relation that matter most in catalogue titles. It is
// deliberately small: it folds the common cases, not the whole of Unihan.
// hanToSimplified holds every pair; hanToTraditional holds only the %d
// pairs whose Simplified character has a single Traditional form, so that
// the reverse folding never guesses (发 may be 發 or 髮, and is left alone).
// Both tables are sorted by their first rune (TestHanTablesSorted checks).
// Regenerate with "python3 testdata/genhan.py" (run from the testdata directory).

var hanToSimplified = [...][2]rune{
%s
}

var hanToTraditional = [...][2]rune{
%s
}

// lookupHan returns the mapping of r in table, or r.
func lookupHan(table [][2]rune, r rune) rune {
	lo, hi := 0, len(table)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if table[m][0] < r {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(table) && table[lo][0] == r {
		return table[lo][1]
	}
	return r
}

// toSimplified maps a Traditional Han character to its Simplified form.
func toSimplified(r rune) rune {
	if r < 0x4E00 || r > 0x9FFF {
		return r
	}
	return lookupHan(hanToSimplified[:], r)
}

// toTraditional maps a Simplified Han character to its Traditional form
// when that form is unambiguous.
func toTraditional(r rune) rune {
	if r < 0x4E00 || r > 0x9FFF {
		return r
	}
	return lookupHan(hanToTraditional[:], r)
}
''' % (len(t2s), len(s2t), fmt(t2s), fmt(s2t))
open('../han.go','w').write(out)
