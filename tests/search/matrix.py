"""The match matrix of the search research: documents, queries and whether they should match."""

DOC_COUNCIL = "الأمانة العامة لمجلس الوزراء ترعى المؤتمر الخاص بمناقشة ملف المرأة والأمن والسلام"
DOC_PKK = "العمال الكردستاني يوقف سحب مسلحيه من تركيا"
DOC_VOCALISED = "الأَمَانَةُ العَامَّةُ لِمَجْلِسِ الوُزَرَاءِ"
DOC_TATWEEL = "المؤتـــمر الخـــاص بالمـرأة"
DOC_SLOPPY = "الامانه العامه ترعي المؤتمر"
DOC_ISRAEL = "إسرائيل تعلن، والإسرائيليون في القدس يحتجون"
DOC_PRICES = "في عام ٢٠٢٥ ارتفعت الأسعار ١٠٪"
DOC_OFFICIALS = "مسؤولون في رئاسة الوزراء يقرون الموازنة"
DOC_PRESENTATION = "ﻻجئون في ﺍﻟﻤﺨﻴﻤﺎﺕ"
DOC_CLITICS = "وللمرأة دور، فالمؤتمر بالأمانة وكالعادة"
DOC_GLUED_DIGITS = "المفوضية تصادق على ٩٥مرشحاً في البصرة"
DOC_PERSIAN_DIGITS = "موازنة عام ۱۴۰۲ أُقرت بـ۳۰۰ مليار"
DOC_TOGETHER = "عبدالله، أبوبكر، عبدالرحمن ينشرون على فيسبوك"
DOC_APART = "عبد الله، أبو بكر، عبد الرحمن ينشرون على فيس بوك"
DOC_CONJUNCTIONS = "وقال الوزير فالفريق فاز، وفرنسا تستضيف"
DOC_INSULT = "مشجع يسب الحكم"
DOC_MENTIONED = "ورد في التقرير أن الأسعار ارتفعت"
DOC_JAR = "اشترى زيرا من الفخار"

# (document, query, what it tests)
SHOULD_MATCH = [
    (DOC_COUNCIL, "مؤتمر", "article ال dropped in query"),
    (DOC_COUNCIL, "المؤتمر", "exact word"),
    (DOC_COUNCIL, "موتمر", "hamza seat ؤ written as و"),
    (DOC_COUNCIL, "امانة", "hamza on alef dropped, no article"),
    (DOC_COUNCIL, "الامانة", "hamza on alef dropped"),
    (DOC_COUNCIL, "أمانة", "no article"),
    (DOC_COUNCIL, "الامانه", "taa marbuta written as ه"),
    (DOC_COUNCIL, "المراة", "hamza dropped in المرأة"),
    (DOC_COUNCIL, "مراة", "hamza dropped, no article"),
    (DOC_COUNCIL, "امرأة", "indefinite امرأة vs المرأة"),
    (DOC_COUNCIL, "الأَمَانَة", "query with tashkeel"),
    (DOC_COUNCIL, "المؤتـــمر", "query with tatweel"),
    (DOC_COUNCIL, "ترعي", "alef maqsura ى written as ي"),
    (DOC_COUNCIL, "وزراء", "article dropped"),
    (DOC_COUNCIL, "مجلس", "ل + noun in the document (لمجلس)"),
    (DOC_COUNCIL, "الأمن", "document has والأمن"),
    (DOC_COUNCIL, "امن", "document has والأمن, query bare"),
    (DOC_COUNCIL, "سلام", "document has والسلام"),
    (DOC_COUNCIL, "مناقشة", "document has بمناقشة"),
    (DOC_PKK, "كردستان", "nisba adjective vs noun"),
    (DOC_PKK, "الكردستاني", "exact"),
    (DOC_PKK, "مسلحين", "plural vs مسلحيه"),
    (DOC_PKK, "المسلحين", "plural with article"),
    (DOC_PKK, "تركيا", "exact"),
    (DOC_VOCALISED, "الأمانة", "document fully vocalised"),
    (DOC_VOCALISED, "مجلس", "document vocalised + ل prefix"),
    (DOC_VOCALISED, "الوزراء", "document vocalised"),
    (DOC_TATWEEL, "المؤتمر", "document has tatweel"),
    (DOC_TATWEEL, "المرأة", "document has tatweel + ب prefix"),
    (DOC_SLOPPY, "الأمانة", "document wrote ة as ه"),
    (DOC_SLOPPY, "ترعى", "document wrote ى as ي"),
    (DOC_ISRAEL, "اسرائيل", "إ written as ا"),
    (DOC_ISRAEL, "إسرائيلي", "adjective vs the document's plural with و+ال"),
    (DOC_ISRAEL, "القدس", "exact"),
    (DOC_PRICES, "2025", "Western digits vs Arabic-Indic in the document"),
    (DOC_PRICES, "٢٠٢٥", "exact Arabic-Indic digits"),
    (DOC_OFFICIALS, "مسئولون", "ؤ vs ئ spelling"),
    (DOC_OFFICIALS, "مسوول", "hamza dropped"),
    (DOC_OFFICIALS, "رياسة", "ئ written as ي"),
    (DOC_PRESENTATION, "لاجئون", "document uses presentation forms"),
    (DOC_PRESENTATION, "المخيمات", "document uses presentation forms"),
    (DOC_CLITICS, "المرأة", "document has وللمرأة (و+ل+ال)"),
    (DOC_CLITICS, "مؤتمر", "document has فالمؤتمر (ف+ال)"),
    (DOC_CLITICS, "الأمانة", "document has بالأمانة (ب+ال)"),
    (DOC_CLITICS, "العادة", "document has وكالعادة (و+ك+ال)"),
    (DOC_GLUED_DIGITS, "95", "Western digits vs Arabic-Indic digits glued to a word"),
    (DOC_GLUED_DIGITS, "٩٥", "Arabic-Indic digits glued to a word"),
    (DOC_GLUED_DIGITS, "مرشحين", "the word the digits are glued to"),
    (DOC_GLUED_DIGITS, "٩٥مرشحاً", "the glued form itself"),
    (DOC_PERSIAN_DIGITS, "1402", "Western digits vs Persian digits"),
    (DOC_PERSIAN_DIGITS, "٣٠٠", "Arabic-Indic digits vs Persian digits glued to بـ"),
    (DOC_TOGETHER, "فيس بوك", "loanword written apart in the query, together in the document"),
    (DOC_APART, "فيسبوك", "loanword written together in the query, apart in the document"),
    (DOC_TOGETHER, "عبد الله", "name written apart in the query, together in the document"),
    (DOC_APART, "عبدالله", "name written together in the query, apart in the document"),
    (DOC_TOGETHER, "أبو بكر", "أبو + name apart in the query, together in the document"),
    (DOC_APART, "أبوبكر", "أبو + name together in the query, apart in the document"),
    (DOC_TOGETHER, "عبد الرحمن", "عبد + ال name apart in the query, together in the document"),
    (DOC_APART, "عبدالرحمن", "عبد + ال name together in the query, apart in the document"),
    (DOC_TOGETHER, "فيسبوك", "a loanword that begins with ف"),
    (DOC_CONJUNCTIONS, "قال", "document has وقال (the conjunction و)"),
    (DOC_CONJUNCTIONS, "فرنسا", "document has وفرنسا (و before a word that begins with ف)"),
    (DOC_CONJUNCTIONS, "وزير", "document has الوزير (ال before a word that begins with و)"),
    (DOC_CONJUNCTIONS, "فريق", "document has فالفريق (ف+ال before a word that begins with ف)"),
    (DOC_INSULT, "يسب", "exact"),
]

SHOULD_NOT_MATCH = [
    (DOC_COUNCIL, "الوزير", "singular vs broken plural"),
    (DOC_PKK, "عامل", "singular vs broken plural عمال"),
    (DOC_PKK, "انسحاب", "derived noun vs سحب"),
    (DOC_GLUED_DIGITS, "96", "another number"),
    (DOC_TOGETHER, "عبد العزيز", "another name of the same form"),
    (DOC_APART, "عبدالعزيز", "another name of the same form, written together"),
    (DOC_INSULT, "فيسبوك", "the ف of a loanword is no conjunction (يسب)"),
    (DOC_MENTIONED, "فورد", "the ف of a name is no conjunction (ورد)"),
    (DOC_JAR, "وزير", "the و of a word is no conjunction (زير)"),
]
