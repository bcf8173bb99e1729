//! Every fixed word an edition prints ("Contents", "Sources", "Page 1 of
//! 4", "Prepared for", "Read the full brief", …), in every language we
//! write, in one table: the PDF brief and packet (handed to the templates
//! as `data.labels`), the EPUB, the e-mail text, the summary, the digest
//! and the messages all read it here. A key that lacks a language fails
//! a test (`every_key_has_every_language`). Dates are written per language
//! by `read::dates::written`, re-exported here as [`date`].
//!
//! Placeholders: `{n}` a number, `{total}` a total. Languages whose plural
//! forms we cannot get right from one number (Russian, Arabic) name the
//! count after a colon instead.

use serde_json::{Map, Value};

pub use crate::read::dates::written as date;

/// The languages of the table, in its column order.
pub const LANGS: [&str; 11] = [
    "en", "ko", "ja", "zh-Hans", "zh-Hant", "fr", "de", "es", "pt", "ru", "ar",
];

/// A fixed word. `name` is its key in the templates' `data.labels`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    words: [&'static str; 11],
}

macro_rules! keys {
    ($($id:ident $name:literal [$($w:literal),* $(,)?])*) => {
        $(pub const $id: Key = Key { name: $name, words: [$($w),*] };)*
        /// Every key, for the templates and the coverage test.
        pub const ALL: &[Key] = &[$($id),*];
    };
}

keys! {
    BRIEFING "kicker" ["Briefing", "브리핑", "ブリーフィング", "简报", "簡報", "Note d’information", "Briefing", "Informe", "Briefing", "Справка", "إحاطة"]
    PACKET "packet-kicker" ["Briefing packet", "브리핑 자료집", "ブリーフィング資料", "简报汇编", "簡報彙編", "Dossier d’information", "Briefing-Mappe", "Dosier informativo", "Dossiê informativo", "Информационный пакет", "ملف إحاطة"]
    PAGE_OF "page" ["Page {n} of {total}", "{total}쪽 중 {n}쪽", "{n} / {total} ページ", "第 {n} 页，共 {total} 页", "第 {n} 頁，共 {total} 頁", "Page {n} sur {total}", "Seite {n} von {total}", "Página {n} de {total}", "Página {n} de {total}", "Страница {n} из {total}", "الصفحة {n} من {total}"]
    NOTES "notes" ["Notes", "주석", "注", "注释", "註釋", "Notes", "Anmerkungen", "Notas", "Notas", "Примечания", "ملاحظات"]
    LINKS "links" ["Links", "링크", "リンク", "链接", "連結", "Liens", "Links", "Enlaces", "Links", "Ссылки", "روابط"]
    SOURCES "sources" ["Sources", "출처", "出典", "来源", "來源", "Sources", "Quellen", "Fuentes", "Fontes", "Источники", "المصادر"]
    CONTENTS "contents" ["Contents", "차례", "目次", "目录", "目錄", "Sommaire", "Inhalt", "Índice", "Sumário", "Содержание", "المحتويات"]
    IMAGE_MISSING "image" ["Image not included", "포함되지 않은 이미지", "含まれていない画像", "未包含的图片", "未包含的圖片", "Image non incluse", "Bild nicht enthalten", "Imagen no incluida", "Imagem não incluída", "Изображение не включено", "صورة غير مضمّنة"]
    HTML_AS_TEXT "html" ["HTML shown as text", "텍스트로 표시한 HTML", "テキストとして表示した HTML", "以文本显示的 HTML", "以文字顯示的 HTML", "HTML affiché en texte", "HTML als Text", "HTML mostrado como texto", "HTML mostrado como texto", "HTML показан как текст", "HTML معروض كنص"]
    BACK_TO_TEXT "back" ["Back to the text", "본문으로 돌아가기", "本文に戻る", "返回正文", "返回正文", "Retour au texte", "Zurück zum Text", "Volver al texto", "Voltar ao texto", "Назад к тексту", "العودة إلى النص"]
    KEY_POINTS "key-points" ["Key points", "요점", "要点", "要点", "要點", "Points clés", "Kernpunkte", "Puntos clave", "Pontos principais", "Главное", "النقاط الرئيسية"]
    READ_FULL "read-full" ["Read the full brief:", "전체 브리핑 읽기:", "全文を読む:", "阅读全文:", "閱讀全文:", "Lire la note complète :", "Das ganze Briefing lesen:", "Leer el informe completo:", "Ler o briefing completo:", "Полный текст:", "اقرأ الإحاطة كاملة:"]
    ASKS "asks" ["Asks", "요청 사항", "要請事項", "请求事项", "請求事項", "Demandes", "Forderungen", "Peticiones", "Pedidos", "Просьбы", "المطالب"]
    ATTACHED "attached" ["Attached:", "첨부:", "添付:", "附件:", "附件:", "Pièces jointes :", "Anhänge:", "Adjuntos:", "Anexos:", "Вложения:", "المرفقات:"]
    READ_ONLINE "read-online" ["Read online:", "온라인으로 읽기:", "オンラインで読む:", "在线阅读:", "線上閱讀:", "Lire en ligne :", "Online lesen:", "Leer en línea:", "Ler online:", "Читать онлайн:", "اقرأ على الإنترنت:"]
    PREPARED_FOR "prepared" ["Prepared for", "수신", "宛先", "呈送", "呈送", "Préparé pour", "Erstellt für", "Preparado para", "Preparado para", "Подготовлено для", "أُعدّ من أجل"]
    SOURCES_INTRO "sources-intro" [
        "Every external link of every brief, under the number its notes print: first the sources with a note, then the addresses printed in the text. Addresses are printed in full so that a reader of the printed packet can follow the evidence.",
        "각 브리핑의 모든 외부 링크를 주석에 인쇄된 번호로 싣는다. 주석이 있는 출처를 먼저, 본문에 인쇄된 주소를 다음에 둔다. 인쇄본을 읽는 사람도 근거를 확인할 수 있도록 주소는 모두 그대로 싣는다.",
        "各ブリーフィングのすべての外部リンクを、注に印刷された番号で掲載する。注のある出典を先に、本文に印刷されたアドレスを後に置く。印刷された資料の読者も証拠をたどれるよう、アドレスは省略せずに掲載する。",
        "各份简报的所有外部链接，按注释中印出的编号列出：先列有注释的来源，再列正文中印出的地址。地址完整印出，便于纸本读者核查证据。",
        "各份簡報的所有外部連結，按註釋中印出的編號列出：先列有註釋的來源，再列正文中印出的地址。地址完整印出，便於紙本讀者查核證據。",
        "Tous les liens externes de chaque note, sous le numéro de leur renvoi : d’abord les sources avec un renvoi, puis les adresses imprimées dans le texte, avec leur adresse complète.",
        "Alle externen Links aller Briefings unter der Nummer ihrer Anmerkung: zuerst die Quellen mit Anmerkung, dann die im Text gedruckten Adressen, jeweils mit vollständiger Adresse.",
        "Todos los enlaces externos de cada informe, con el número de su nota: primero las fuentes con nota, luego las direcciones impresas en el texto. Las direcciones se imprimen completas para que quien lea el dosier impreso pueda seguir las pruebas.",
        "Todos os links externos de cada briefing, com o número da sua nota: primeiro as fontes com nota, depois os endereços impressos no texto. Os endereços são impressos por inteiro para que quem lê o dossiê impresso possa seguir as provas.",
        "Все внешние ссылки каждой справки под номерами их примечаний: сначала источники с примечанием, затем адреса, напечатанные в тексте. Адреса приведены полностью, чтобы читатель печатного пакета мог проверить доказательства.",
        "جميع الروابط الخارجية في كل إحاطة، تحت رقم الملاحظة التي تشير إليها: أولًا المصادر ذات الملاحظات، ثم العناوين المطبوعة في النص. تُطبع العناوين كاملة ليتمكن قارئ النسخة المطبوعة من تتبّع الأدلة.",
    ]
    NO_SOURCES "no-sources" ["This brief links to no external sources.", "이 브리핑에는 외부 출처 링크가 없다.", "このブリーフィングには外部の出典へのリンクがない。", "本简报没有外部来源链接。", "本簡報沒有外部來源連結。", "Cette note ne renvoie à aucune source externe.", "Dieses Briefing verweist auf keine externen Quellen.", "Este informe no enlaza fuentes externas.", "Este briefing não tem links para fontes externas.", "В этой справке нет ссылок на внешние источники.", "لا تتضمن هذه الإحاطة روابط إلى مصادر خارجية."]
    INTEGRITY "integrity" ["Integrity", "무결성", "完全性の確認", "完整性", "完整性", "Intégrité", "Integrität", "Integridad", "Integridade", "Целостность", "سلامة النص"]
    INTEGRITY_INTRO "integrity-intro" [
        "To confirm which text you were given, compute the SHA-256 digest of each source file (for example with sha256sum) and compare it with the value printed here.",
        "받은 문서가 어떤 원문인지 확인하려면 각 원본 파일의 SHA-256 값을 계산하여(예: sha256sum) 여기에 인쇄된 값과 비교한다.",
        "受け取った本文を確認するには、各ソースファイルの SHA-256 ダイジェストを計算し（例：sha256sum）、ここに印刷された値と比較する。",
        "如需确认所收到的文本，请计算每个源文件的 SHA-256 摘要（例如使用 sha256sum），并与此处印出的值比较。",
        "如需確認所收到的文本，請計算每個原始檔的 SHA-256 摘要（例如使用 sha256sum），並與此處印出的值比較。",
        "Pour vérifier le texte reçu, calculez l’empreinte SHA-256 de chaque fichier source (par exemple avec sha256sum) et comparez-la à la valeur imprimée ici.",
        "Zur Prüfung des erhaltenen Textes: SHA-256 jeder Quelldatei berechnen (z. B. mit sha256sum) und mit dem hier gedruckten Wert vergleichen.",
        "Para comprobar qué texto recibió, calcule el resumen SHA-256 de cada archivo fuente (por ejemplo con sha256sum) y compárelo con el valor impreso aquí.",
        "Para confirmar o texto recebido, calcule o resumo SHA-256 de cada arquivo-fonte (por exemplo com sha256sum) e compare-o com o valor impresso aqui.",
        "Чтобы проверить полученный текст, вычислите SHA-256 каждого исходного файла (например, командой sha256sum) и сравните со значением, напечатанным здесь.",
        "للتحقق من النص الذي تسلّمته، احسب بصمة SHA-256 لكل ملف مصدر (مثلًا باستخدام sha256sum) وقارنها بالقيمة المطبوعة هنا.",
    ]
    INTEGRITY_SIGNED "integrity-signed" [
        "This PDF is digitally signed (PAdES). To check that your copy is, byte for byte, the file that was signed, open it in a reader that checks signatures (Adobe Acrobat Reader, pdfsig) or run the command below, and compare the certificate's fingerprint with the one printed here.",
        "이 PDF에는 전자 서명(PAdES)이 되어 있다. 받은 파일이 서명된 파일과 한 바이트도 다르지 않은지 확인하려면 서명을 검증하는 프로그램(Adobe Acrobat Reader, pdfsig)으로 열거나 아래 명령을 실행하고, 인증서 지문을 여기에 인쇄된 값과 비교한다.",
        "このPDFには電子署名（PAdES）が付されている。手元のファイルが署名されたファイルとバイト単位で同一であることを確かめるには、署名を検証できるリーダー（Adobe Acrobat Reader、pdfsig）で開くか下記のコマンドを実行し、証明書のフィンガープリントをここに印刷された値と比較する。",
        "本 PDF 带有数字签名（PAdES）。如需确认您持有的文件与签名的文件逐字节相同，请用可验证签名的阅读器（Adobe Acrobat Reader、pdfsig）打开，或运行下列命令，并将证书指纹与此处印出的值比较。",
        "本 PDF 帶有數位簽章（PAdES）。如需確認您持有的檔案與簽署的檔案逐位元組相同，請用可驗證簽章的閱讀器（Adobe Acrobat Reader、pdfsig）開啟，或執行下列命令，並將憑證指紋與此處印出的值比較。",
        "Ce PDF porte une signature électronique (PAdES). Pour vérifier que votre exemplaire est, octet pour octet, le fichier signé, ouvrez-le dans un lecteur qui vérifie les signatures (Adobe Acrobat Reader, pdfsig) ou lancez la commande ci-dessous, et comparez l’empreinte du certificat à celle imprimée ici.",
        "Dieses PDF ist elektronisch signiert (PAdES). Um zu prüfen, dass Ihr Exemplar Byte für Byte die signierte Datei ist, öffnen Sie es in einem Programm, das Signaturen prüft (Adobe Acrobat Reader, pdfsig), oder führen Sie den Befehl unten aus, und vergleichen Sie den Fingerabdruck des Zertifikats mit dem hier gedruckten.",
        "Este PDF lleva una firma electrónica (PAdES). Para comprobar que su ejemplar es, byte a byte, el archivo firmado, ábralo en un lector que verifique firmas (Adobe Acrobat Reader, pdfsig) o ejecute la orden siguiente, y compare la huella del certificado con la impresa aquí.",
        "Este PDF tem uma assinatura eletrônica (PAdES). Para confirmar que o seu exemplar é, byte a byte, o arquivo assinado, abra-o num leitor que verifique assinaturas (Adobe Acrobat Reader, pdfsig) ou execute o comando abaixo, e compare a impressão digital do certificado com a impressa aqui.",
        "Этот PDF подписан электронной подписью (PAdES). Чтобы убедиться, что ваш экземпляр побайтно совпадает с подписанным файлом, откройте его в программе, проверяющей подписи (Adobe Acrobat Reader, pdfsig), или выполните команду ниже и сравните отпечаток сертификата с напечатанным здесь.",
        "هذا الملف موقّع توقيعًا رقميًا (PAdES). للتحقق من أن نسختك مطابقة بايتًا ببايت للملف الموقّع، افتحه في قارئ يتحقق من التواقيع (Adobe Acrobat Reader، pdfsig) أو شغّل الأمر أدناه، وقارن بصمة الشهادة بالقيمة المطبوعة هنا.",
    ]
    INTEGRITY_UNSIGNED "integrity-unsigned" [
        "This PDF is not signed. To check that your copy is the file that was sent, obtain the build's manifest (manifest.json) from the sender by a separate channel and run brief verify FILE --manifest manifest.json, or compare the file's SHA-256 (sha256sum) with the manifest's.",
        "이 PDF에는 서명이 없다. 받은 파일이 보낸 파일과 같은지 확인하려면 보낸 사람에게서 빌드 목록(manifest.json)을 별도 경로로 받아 brief verify FILE --manifest manifest.json을 실행하거나, 파일의 SHA-256 값(sha256sum)을 목록의 값과 비교한다.",
        "このPDFには署名がない。手元のファイルが送付されたものと同一か確かめるには、送付者からビルドの一覧（manifest.json）を別の経路で入手し、brief verify FILE --manifest manifest.json を実行するか、ファイルの SHA-256（sha256sum）を一覧の値と比較する。",
        "本 PDF 未签名。如需确认您持有的文件即所发送的文件，请通过其他渠道向发送方索取构建清单（manifest.json），运行 brief verify FILE --manifest manifest.json，或将文件的 SHA-256（sha256sum）与清单中的值比较。",
        "本 PDF 未簽署。如需確認您持有的檔案即所寄送的檔案，請透過其他管道向寄件方索取建置清單（manifest.json），執行 brief verify FILE --manifest manifest.json，或將檔案的 SHA-256（sha256sum）與清單中的值比較。",
        "Ce PDF n’est pas signé. Pour vérifier que votre exemplaire est le fichier envoyé, obtenez de l’expéditeur, par un autre canal, le manifeste de la production (manifest.json) et lancez brief verify FICHIER --manifest manifest.json, ou comparez l’empreinte SHA-256 du fichier (sha256sum) à celle du manifeste.",
        "Dieses PDF ist nicht signiert. Um zu prüfen, dass Ihr Exemplar die versandte Datei ist, erbitten Sie vom Absender auf einem anderen Weg das Manifest des Builds (manifest.json) und führen Sie brief verify DATEI --manifest manifest.json aus, oder vergleichen Sie den SHA-256 der Datei (sha256sum) mit dem des Manifests.",
        "Este PDF no está firmado. Para comprobar que su ejemplar es el archivo enviado, pida al remitente, por otra vía, el manifiesto de la compilación (manifest.json) y ejecute brief verify ARCHIVO --manifest manifest.json, o compare el SHA-256 del archivo (sha256sum) con el del manifiesto.",
        "Este PDF não está assinado. Para confirmar que o seu exemplar é o arquivo enviado, peça ao remetente, por outro canal, o manifesto da compilação (manifest.json) e execute brief verify ARQUIVO --manifest manifest.json, ou compare o SHA-256 do arquivo (sha256sum) com o do manifesto.",
        "Этот PDF не подписан. Чтобы убедиться, что ваш экземпляр — отправленный файл, получите у отправителя по другому каналу манифест сборки (manifest.json) и выполните brief verify ФАЙЛ --manifest manifest.json или сравните SHA-256 файла (sha256sum) со значением в манифесте.",
        "هذا الملف غير موقّع. للتحقق من أن نسختك هي الملف المُرسل، اطلب من المرسل عبر قناة أخرى بيان الإنشاء (manifest.json) وشغّل brief verify FILE --manifest manifest.json، أو قارن بصمة SHA-256 للملف (sha256sum) بما في البيان.",
    ]
    SIGNED_BY "signed-by" ["Signed by", "서명자", "署名者", "签名者", "簽署者", "Signé par", "Signiert von", "Firmado por", "Assinado por", "Подписано", "الموقِّع"]
    CERTIFICATE "certificate" ["Certificate SHA-256", "인증서 SHA-256", "証明書の SHA-256", "证书 SHA-256", "憑證 SHA-256", "SHA-256 du certificat", "SHA-256 des Zertifikats", "SHA-256 del certificado", "SHA-256 do certificado", "SHA-256 сертификата", "SHA-256 للشهادة"]
    CHECK_WITH "check-with" ["Check with", "검증 방법", "検証方法", "验证方法", "驗證方法", "Vérifier avec", "Prüfen mit", "Verificar con", "Verificar com", "Проверка", "التحقق باستخدام"]
    SOURCE_FILES "source-files" ["Source files", "원본 파일", "ソースファイル", "源文件", "原始檔", "Fichiers source", "Quelldateien", "Archivos fuente", "Arquivos-fonte", "Исходные файлы", "الملفات المصدر"]
    BRIEF_OF "brief" ["Brief {n} of {total}", "브리핑 {n}/{total}", "ブリーフィング {n}/{total}", "简报 {n}/{total}", "簡報 {n}/{total}", "Note {n} sur {total}", "Briefing {n} von {total}", "Informe {n} de {total}", "Briefing {n} de {total}", "Справка {n} из {total}", "الإحاطة {n} من {total}"]
    SOURCE_FILE "source" ["Source file", "원본 파일", "ソースファイル", "源文件", "原始檔", "Fichier source", "Quelldatei", "Archivo fuente", "Arquivo-fonte", "Исходный файл", "الملف المصدر"]
    DATE "date" ["Date", "날짜", "日付", "日期", "日期", "Date", "Datum", "Fecha", "Data", "Дата", "التاريخ"]
    DIGEST "digest" ["SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256", "SHA-256"]
    BUILT_WITH "tool" ["Built with", "제작 도구", "作成ツール", "生成工具", "產生工具", "Produit avec", "Erstellt mit", "Generado con", "Gerado com", "Создано с помощью", "أُنشئ باستخدام"]
    PACKET_DATE "packet-date" ["Packet date", "자료집 날짜", "資料の日付", "汇编日期", "彙編日期", "Date du dossier", "Datum der Mappe", "Fecha del dosier", "Data do dossiê", "Дата пакета", "تاريخ الملف"]
    ONE_BRIEF "briefs-one" ["1 brief", "브리핑 1건", "ブリーフィング 1 件", "简报 1 份", "簡報 1 份", "1 note", "1 Briefing", "1 informe", "1 briefing", "Справок: 1", "عدد الإحاطات: 1"]
    BRIEFS "briefs" ["{n} briefs", "브리핑 {n}건", "ブリーフィング {n} 件", "简报 {n} 份", "簡報 {n} 份", "{n} notes", "{n} Briefings", "{n} informes", "{n} briefings", "Справок: {n}", "عدد الإحاطات: {n}"]
    COVER_LETTER "letter" ["Cover letter", "안내 서한", "送付状", "附函", "附函", "Lettre d’accompagnement", "Anschreiben", "Carta de presentación", "Carta de apresentação", "Сопроводительное письмо", "خطاب تغطية"]
    COPY_OF "copy" ["Copy {n} of {total}", "{total}부 중 제{n}부", "{total}部中第{n}部", "第 {n} 份，共 {total} 份", "第 {n} 份，共 {total} 份", "Exemplaire {n} sur {total}", "Exemplar {n} von {total}", "Copia {n} de {total}", "Cópia {n} de {total}", "Экземпляр {n} из {total}", "النسخة {n} من {total}"]
    APPENDICES "appendices" ["Appendices", "부록", "付録", "附录", "附錄", "Annexes", "Anhänge", "Anexos", "Anexos", "Приложения", "الملاحق"]
    REFERENCE "ref" ["Ref.", "문서번호", "文書番号", "编号", "編號", "Réf.", "Az.", "Ref.", "Ref.", "Исх. №", "المرجع"]
    IN_LANGUAGE "in-language" ["English", "한국어", "日本語", "简体中文", "繁體中文", "Français", "Deutsch", "Español", "Português", "Русский", "العربية"]
}

/// The table's column for a language tag: `zh-TW`, `zh-HK` and `zh-Hant`
/// are Traditional Chinese, other `zh` Simplified; other tags by their
/// primary subtag; a language the table lacks is English.
pub fn column(lang: &str) -> usize {
    let lower = lang.to_ascii_lowercase();
    let mut parts = lower.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let name = match primary {
        "zh" if parts.any(|p| matches!(p, "hant" | "tw" | "hk" | "mo")) => "zh-Hant",
        "zh" => "zh-Hans",
        other => other,
    };
    LANGS.iter().position(|l| *l == name).unwrap_or(0)
}

/// The word for `key` in `lang`.
pub fn word(lang: &str, key: Key) -> &'static str {
    key.words[column(lang)]
}

/// The word with its placeholders filled: `{n}` and `{total}`.
pub fn fill(lang: &str, key: Key, n: usize, total: usize) -> String {
    word(lang, key)
        .replace("{n}", &n.to_string())
        .replace("{total}", &total.to_string())
}

/// "1 brief", "3 briefs", in `lang`.
pub fn briefs(lang: &str, n: usize) -> String {
    if n == 1 {
        word(lang, ONE_BRIEF).to_string()
    } else {
        fill(lang, BRIEFS, n, n)
    }
}

/// Every word in `lang`, by key name: the templates' `data.labels`.
pub fn labels(lang: &str) -> Value {
    let mut map = Map::new();
    for key in ALL {
        map.insert(
            key.name.to_string(),
            Value::String(word(lang, *key).to_string()),
        );
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when a key lacks a language: an empty word, or one left in
    /// English where the language writes a word of its own (a copy of
    /// the English text is allowed only for words that are the same,
    /// such as "SHA-256" or French "Notes").
    #[test]
    fn every_key_has_every_language() {
        const SAME_AS_ENGLISH: &[(&str, &str)] = &[
            ("digest", "*"),
            ("kicker", "de"),
            ("kicker", "pt"),
            ("notes", "fr"),
            ("sources", "fr"),
            ("links", "de"),
            ("links", "pt"),
            ("date", "fr"),
            ("ref", "es"),
            ("ref", "pt"),
        ];
        let mut missing = Vec::new();
        for key in ALL {
            for (i, lang) in LANGS.iter().enumerate() {
                let w = key.words[i];
                let allowed = SAME_AS_ENGLISH
                    .iter()
                    .any(|(k, l)| *k == key.name && (*l == "*" || l == lang));
                if w.trim().is_empty() || (i > 0 && w == key.words[0] && !allowed) {
                    missing.push(format!("{} in {lang}", key.name));
                }
                let placeholders = |s: &str| (s.contains("{n}"), s.contains("{total}"));
                if placeholders(w) != placeholders(key.words[0]) {
                    missing.push(format!("{} in {lang}: placeholders differ", key.name));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
        let names: std::collections::BTreeSet<_> = ALL.iter().map(|k| k.name).collect();
        assert_eq!(names.len(), ALL.len(), "two keys share a name");
    }

    #[test]
    fn tags_find_their_column() {
        assert_eq!(word("ko-KR", CONTENTS), "차례");
        assert_eq!(word("zh-TW", CONTENTS), "目錄");
        assert_eq!(word("zh-Hant-HK", CONTENTS), "目錄");
        assert_eq!(word("zh", CONTENTS), "目录");
        assert_eq!(word("ar-EG", CONTENTS), "المحتويات");
        assert_eq!(word("xx", CONTENTS), "Contents");
        assert_eq!(fill("ko", PAGE_OF, 1, 5), "5쪽 중 1쪽");
        assert_eq!(briefs("en", 1), "1 brief");
        assert_eq!(briefs("ja", 3), "ブリーフィング 3 件");
    }

    #[test]
    fn dates_are_written_per_language() {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 9, 2).unwrap();
        assert_eq!(date(day, "ko"), "2025년 9월 2일");
        assert_eq!(date(day, "ja"), "2025年9月2日");
        assert_eq!(date(day, "zh-Hant"), "2025年9月2日");
        assert_eq!(date(day, "en"), "2 September 2025");
        assert_eq!(date(day, "ar"), "2 سبتمبر 2025");
        assert_eq!(date(day, "ru"), "2 сентября 2025 г.");
    }
}
