"""The raw material of the demo book: places, companies, people and the words of meeting notes.

Kept apart from the generator so that the generator reads as the story it tells and this file
as the cast. Everything here is fictional; coordinates come from GeoNames (the offline
gazetteer) and are written out so that generating the demo needs no lookup.
"""

from __future__ import annotations

from typing import NamedTuple


class Place(NamedTuple):
    lat: float
    lon: float
    time_zone: str


PLACES: dict[tuple[str, str], Place] = {
    ("Stockholm", "SE"): Place(59.3294, 18.0687, "Europe/Stockholm"),
    ("Göteborg", "SE"): Place(57.7072, 11.9668, "Europe/Stockholm"),
    ("Malmö", "SE"): Place(55.6059, 13.0007, "Europe/Stockholm"),
    ("Solna", "SE"): Place(59.3600, 18.0009, "Europe/Stockholm"),
    ("Södertälje", "SE"): Place(59.1955, 17.6253, "Europe/Stockholm"),
    ("Uppsala", "SE"): Place(59.8588, 17.6389, "Europe/Stockholm"),
    ("Västerås", "SE"): Place(59.6162, 16.5528, "Europe/Stockholm"),
    ("Örebro", "SE"): Place(59.2741, 15.2066, "Europe/Stockholm"),
    ("Gävle", "SE"): Place(60.6745, 17.1417, "Europe/Stockholm"),
    ("Sundsvall", "SE"): Place(62.3913, 17.3063, "Europe/Stockholm"),
    ("Umeå", "SE"): Place(63.8284, 20.2597, "Europe/Stockholm"),
    ("Luleå", "SE"): Place(65.5841, 22.1547, "Europe/Stockholm"),
    ("Skellefteå", "SE"): Place(64.7507, 20.9528, "Europe/Stockholm"),
    ("Östersund", "SE"): Place(63.1792, 14.6357, "Europe/Stockholm"),
    ("Karlstad", "SE"): Place(59.3793, 13.5036, "Europe/Stockholm"),
    ("Mölndal", "SE"): Place(57.6554, 12.0138, "Europe/Stockholm"),
    ("Borås", "SE"): Place(57.7210, 12.9401, "Europe/Stockholm"),
    ("Trollhättan", "SE"): Place(58.2837, 12.2886, "Europe/Stockholm"),
    ("Uddevalla", "SE"): Place(58.3478, 11.9424, "Europe/Stockholm"),
    ("Halmstad", "SE"): Place(56.6745, 12.8568, "Europe/Stockholm"),
    ("Jönköping", "SE"): Place(57.7814, 14.1562, "Europe/Stockholm"),
    ("Linköping", "SE"): Place(58.4109, 15.6216, "Europe/Stockholm"),
    ("Norrköping", "SE"): Place(58.5942, 16.1826, "Europe/Stockholm"),
    ("Växjö", "SE"): Place(56.8777, 14.8091, "Europe/Stockholm"),
    ("Kalmar", "SE"): Place(56.6616, 16.3616, "Europe/Stockholm"),
    ("Karlskrona", "SE"): Place(56.1616, 15.5866, "Europe/Stockholm"),
    ("Lund", "SE"): Place(55.7058, 13.1932, "Europe/Stockholm"),
    ("Helsingborg", "SE"): Place(56.0467, 12.6944, "Europe/Stockholm"),
    ("Kristianstad", "SE"): Place(56.0313, 14.1524, "Europe/Stockholm"),
    ("Hässleholm", "SE"): Place(56.1591, 13.7664, "Europe/Stockholm"),
    ("Eskilstuna", "SE"): Place(59.3666, 16.5077, "Europe/Stockholm"),
    ("Falun", "SE"): Place(60.6036, 15.6260, "Europe/Stockholm"),
    ("Borlänge", "SE"): Place(60.4858, 15.4371, "Europe/Stockholm"),
    ("Skövde", "SE"): Place(58.3912, 13.8451, "Europe/Stockholm"),
    ("Varberg", "SE"): Place(57.1056, 12.2508, "Europe/Stockholm"),
    ("Nyköping", "SE"): Place(58.7530, 17.0079, "Europe/Stockholm"),
    ("Ningbo", "CN"): Place(29.8782, 121.5494, "Asia/Shanghai"),
    ("Shenzhen", "CN"): Place(22.5455, 114.0683, "Asia/Shanghai"),
    ("Stuttgart", "DE"): Place(48.7823, 9.1770, "Europe/Berlin"),
    ("Hamburg", "DE"): Place(53.5507, 9.9930, "Europe/Berlin"),
    ("Memphis", "US"): Place(35.1495, -90.0490, "America/Chicago"),
    ("Boston", "US"): Place(42.3584, -71.0598, "America/New_York"),
    ("København", "DK"): Place(55.6759, 12.5655, "Europe/Copenhagen"),
    ("Oslo", "NO"): Place(59.9127, 10.7461, "Europe/Oslo"),
    ("Tampere", "FI"): Place(61.4991, 23.7871, "Europe/Helsinki"),
    ("Osaka", "JP"): Place(34.6938, 135.5011, "Asia/Tokyo"),
    ("Birmingham", "GB"): Place(52.4814, -1.8998, "Europe/London"),
}

CURRENCY_BY_COUNTRY = {
    "SE": "SEK",
    "CN": "CNY",
    "DE": "EUR",
    "FI": "EUR",
    "US": "USD",
    "DK": "DKK",
    "NO": "NOK",
    "JP": "JPY",
    "GB": "GBP",
}

# Roughly how many units of each currency one krona buys, to give foreign amounts a sane size.
PER_SEK = {
    "SEK": 1.0,
    "EUR": 0.088,
    "USD": 0.095,
    "CNY": 0.68,
    "DKK": 0.66,
    "NOK": 1.0,
    "JPY": 14.0,
    "GBP": 0.075,
}


class Company(NamedTuple):
    ref: str
    name: str
    city: str
    country: str
    potential: str
    owner: str
    # What they do, as a phrase that fits "ett företag som …" in notes and docs.
    trade: str


# Refs that are not numbered belong to a planted story (see docs/demo.md).
COMPANIES: tuple[Company, ...] = (
    # Anna (Stockholm): the east and the north, plus USA, Finland and Japan.
    Company("c-lulea-1", "Norrbotten Stål AB", "Luleå", "SE", "high", "anna", "valsar specialstål"),
    Company("c-lulea-2", "Luleå Hamnlogistik AB", "Luleå", "SE", "medium", "anna", "driver hamnterminal och kranar"),
    Company("c-lulea-3", "Bottenvikens Hydraulik AB", "Luleå", "SE", "medium", "anna", "servar gruvhydraulik"),
    Company("c-lulea-4", "Polarkraft Energiteknik AB", "Luleå", "SE", "high", "anna", "bygger vätgasanläggningar"),
    Company(
        "c-waiting", "Medelpads Pappersmaskiner AB", "Sundsvall", "SE", "medium", "anna", "bygger om pappersmaskiner"
    ),
    Company("c-public", "Region Västerbotten", "Umeå", "SE", "medium", "anna", "driver sjukhusens medicinteknik"),
    Company("c-tender", "Gävle kommun, Tekniska kontoret", "Gävle", "SE", "medium", "anna", "driver VA-verk"),
    Company(
        "c-no-gifts",
        "Mälardalens Kraft & Automation AB",
        "Västerås",
        "SE",
        "high",
        "anna",
        "tillverkar ställverk och automation",
    ),
    Company("c-001", "Skelleftebygdens Gjuteri AB", "Skellefteå", "SE", "medium", "anna", "gjuter pumphus"),
    Company("c-002", "Jämtlands Trähus AB", "Östersund", "SE", "low", "anna", "bygger prefabricerade trähus"),
    Company("c-003", "Upplands Precisionsmekanik AB", "Uppsala", "SE", "high", "anna", "svarvar medicintekniska delar"),
    Company("c-004", "Solna Medicinteknik AB", "Solna", "SE", "medium", "anna", "utvecklar infusionspumpar"),
    Company("c-005", "Södertälje Motorkomponenter AB", "Södertälje", "SE", "high", "anna", "levererar till lastbilar"),
    Company("c-006", "Lindqvist & Söner Verkstads AB", "Stockholm", "SE", "medium", "anna", "är en familjeverkstad"),
    Company("c-007", "Örebro Plåtslageri AB", "Örebro", "SE", "low", "anna", "bockar och svetsar plåt"),
    Company("c-008", "Dalarnas Stålkomponenter AB", "Borlänge", "SE", "medium", "anna", "bearbetar stålämnen"),
    Company("c-009", "Falu Elmontage AB", "Falun", "SE", "low", "anna", "bygger elskåp"),
    Company("c-010", "Eskilstuna Transmission AB", "Eskilstuna", "SE", "medium", "anna", "tillverkar växellådor"),
    Company("c-011", "Nyköpings Lantbruksmaskiner AB", "Nyköping", "SE", "low", "anna", "säljer och servar traktorer"),
    Company("c-012", "Bergslagens Pump & Ventil AB", "Örebro", "SE", "medium", "anna", "bygger pumpstationer"),
    Company("c-013", "Umeå Fordonsteknik AB", "Umeå", "SE", "medium", "anna", "bygger om fordon för räddningstjänst"),
    Company("c-014", "Norrmalms Teknikkonsult AB", "Stockholm", "SE", "unknown", "anna", "konstruerar maskiner"),
    Company(
        "c-us-memphis", "Delta River Handling Equipment Inc.", "Memphis", "US", "medium", "anna", "bygger lyftbord"
    ),
    Company("c-us-boston", "Bay State Medical Devices Inc.", "Boston", "US", "high", "anna", "gör kirurgiska robotar"),
    Company("c-fi-tampere", "Pirkanmaan Teräs Oy", "Tampere", "FI", "medium", "anna", "bygger skogsmaskinsramar"),
    Company("c-jp-osaka", "Kansai Seimitsu Kogyo K.K.", "Osaka", "JP", "high", "anna", "tillverkar precisionsventiler"),
    # Bertil (Göteborg): the west, plus China, Germany and Norway.
    Company("c-trollhattan", "Trollhättans Svets & Montage AB", "Trollhättan", "SE", "medium", "bertil", "svetsar"),
    Company(
        "c-drifting", "Vätterbygdens Armatur AB", "Jönköping", "SE", "high", "bertil", "tillverkar industriventiler"
    ),
    Company("c-015", "Älvsborgs Marinteknik AB", "Göteborg", "SE", "high", "bertil", "bygger fartygshydraulik"),
    Company(
        "c-016", "Hisingens Industriservice AB", "Göteborg", "SE", "medium", "bertil", "underhåller processindustri"
    ),
    Company("c-017", "Mölndals Laboratorieutrustning AB", "Mölndal", "SE", "medium", "bertil", "bygger dragskåp"),
    Company("c-018", "Borås Textilmaskiner AB", "Borås", "SE", "low", "bertil", "servar vävmaskiner"),
    Company("c-019", "Bohusläns Fiskförädling AB", "Uddevalla", "SE", "low", "bertil", "förädlar skaldjur"),
    Company("c-020", "Halmstads Verktygsfabrik AB", "Halmstad", "SE", "medium", "bertil", "gör pressverktyg"),
    Company("c-021", "Värmlands Skogsmaskiner AB", "Karlstad", "SE", "high", "bertil", "bygger skördaraggregat"),
    Company("c-022", "Skaraborgs Kylteknik AB", "Skövde", "SE", "medium", "bertil", "installerar industrikyla"),
    Company("c-023", "Varbergs Förpackning AB", "Varberg", "SE", "low", "bertil", "gör wellpapp"),
    Company("c-024", "Göta Älv Energi AB", "Göteborg", "SE", "unknown", "bertil", "driver fjärrvärme"),
    Company("c-025", "Klarälvens Elektronik AB", "Karlstad", "SE", "low", "bertil", "monterar kretskort"),
    Company("c-026", "Lundby Automation AB", "Göteborg", "SE", "medium", "bertil", "bygger robotceller"),
    Company(
        "c-ningbo",
        "Ningbo Hengda Precision Seals Co., Ltd.",
        "Ningbo",
        "CN",
        "low",
        "bertil",
        "tillverkar tätningar för djuphavshydraulik",
    ),
    Company(
        "c-cn-shenzhen",
        "Shenzhen Huaxin Motion Technology Co., Ltd.",
        "Shenzhen",
        "CN",
        "medium",
        "bertil",
        "gör servon",
    ),
    Company("c-de-stuttgart", "Hartmann Hydraulik GmbH", "Stuttgart", "DE", "high", "bertil", "bygger hydraulpressar"),
    Company("c-no-oslo", "Fjordteknikk Marine AS", "Oslo", "NO", "medium", "bertil", "utrustar fiskodlingar"),
    # Cecilia (Malmö): the south, plus Denmark, Germany and the UK.
    Company(
        "c-hassleholm",
        "Hässleholms Lantbruksservice AB",
        "Hässleholm",
        "SE",
        "medium",
        "cecilia",
        "servar skördetröskor",
    ),
    Company("c-027", "Öresunds Livsmedelsteknik AB", "Malmö", "SE", "high", "cecilia", "bygger mejerilinjer"),
    Company("c-028", "Lunds Bioprocess AB", "Lund", "SE", "high", "cecilia", "tillverkar bioreaktorer"),
    Company("c-029", "Helsingborgs Hamnkranar AB", "Helsingborg", "SE", "medium", "cecilia", "servar hamnkranar"),
    Company("c-030", "Kristianstads Kvarn & Foder AB", "Kristianstad", "SE", "low", "cecilia", "mal foder"),
    Company("c-031", "Smålands Glas & Emballage AB", "Växjö", "SE", "medium", "cecilia", "blåser förpackningsglas"),
    Company("c-032", "Kalmarsunds Båtvarv AB", "Kalmar", "SE", "low", "cecilia", "bygger arbetsbåtar"),
    Company("c-033", "Blekinge Marinelektronik AB", "Karlskrona", "SE", "medium", "cecilia", "gör sonarsystem"),
    Company("c-034", "Östgöta Flygteknik AB", "Linköping", "SE", "high", "cecilia", "bearbetar flygplansdetaljer"),
    Company("c-035", "Bråvikens Processteknik AB", "Norrköping", "SE", "medium", "cecilia", "bygger processlinjer"),
    Company("c-036", "Malmö Kylcentral AB", "Malmö", "SE", "low", "cecilia", "driver kyllager"),
    Company("c-037", "Söderslätts Betteknik AB", "Malmö", "SE", "unknown", "cecilia", "bygger betupptagare"),
    Company("c-038", "Linköpings Sensorteknik AB", "Linköping", "SE", "medium", "cecilia", "gör trycksensorer"),
    Company("c-039", "Växjö Möbelindustri AB", "Växjö", "SE", "low", "cecilia", "tillverkar kontorsmöbler"),
    Company(
        "c-040", "Helsingborgs Kemiteknik AB", "Helsingborg", "SE", "medium", "cecilia", "blandar industrikemikalier"
    ),
    Company("c-041", "Lunds Elektronikmontage AB", "Lund", "SE", "low", "cecilia", "monterar styrenheter"),
    Company("c-de-hamburg", "Nordsee Maschinenbau GmbH", "Hamburg", "DE", "medium", "cecilia", "bygger varvskranar"),
    Company(
        "c-dk-kobenhavn", "Øresund Emballage A/S", "København", "DK", "medium", "cecilia", "gör livsmedelsförpackningar"
    ),
    Company("c-gb-birmingham", "Midlands Fluid Power Ltd", "Birmingham", "GB", "low", "cecilia", "säljer hydraulik"),
)

SWEDISH_FIRST = (
    "Anders", "Annika", "Birgitta", "Björn", "Camilla", "Christer", "Elin", "Emma", "Erik", "Eva", "Fredrik",
    "Gunilla", "Göran", "Hanna", "Helena", "Henrik", "Ingrid", "Jan", "Johan", "Jonas", "Karin", "Kristina",
    "Lars", "Lena", "Linnea", "Magnus", "Malin", "Maria", "Mats", "Mikael", "Niklas", "Nils", "Ola", "Patrik",
    "Per", "Peter", "Sara", "Sofia", "Stefan", "Susanne", "Thomas", "Ulf", "Ulrika", "Åsa", "Åke", "Östen",
)  # fmt: skip
SWEDISH_LAST = (
    "Andersson", "Berglund", "Björk", "Dahlberg", "Ek", "Eriksson", "Forsberg", "Gustafsson", "Hedlund",
    "Holm", "Isaksson", "Johansson", "Karlsson", "Lindberg", "Lindqvist", "Lundgren", "Magnusson", "Nilsson",
    "Nordin", "Nyström", "Olsson", "Persson", "Sandberg", "Sjödin", "Ström", "Svensson", "Wallin", "Åberg",
    "Öberg", "Östlund",
)  # fmt: skip
FOREIGN_NAMES: dict[str, tuple[str, ...]] = {
    "CN": ("Chen Hao", "Lin Yue", "Wang Fang", "Zhang Wei", "Liu Yang", "Huang Min"),
    "DE": ("Klaus Hartmann", "Sabine Becker", "Jürgen Weber", "Katrin Schulz", "Thomas Richter"),
    "US": ("Dwayne Carter", "Jennifer Walsh", "Michael O'Brien", "Latoya Jenkins", "Robert Kim"),
    "DK": ("Mette Kjær", "Søren Mikkelsen", "Lars Østergaard"),
    "NO": ("Ingrid Haugen", "Ole Kristian Berg", "Marit Solberg"),
    "FI": ("Mikko Virtanen", "Satu Korhonen", "Juha Mäkinen"),
    "JP": ("Takahashi Kenji", "Yamamoto Yuki", "Sato Hiroshi"),
    "GB": ("Gareth Hughes", "Priya Patel", "Simon Clarke"),
}

TITLES_FIRST = ("VD", "Inköpschef", "Produktionschef", "Teknisk chef", "Platschef")
TITLES_OTHER = (
    "Inköpare",
    "Kvalitetschef",
    "Underhållschef",
    "Konstruktör",
    "Logistikchef",
    "Ekonomichef",
    "Projektledare",
)
TITLES_PUBLIC = ("Upphandlare", "Enhetschef medicinteknik", "Driftchef", "Avdelningschef")
TITLES_FOREIGN_FIRST = ("CEO", "Head of Purchasing", "Managing Director", "Technical Director")
TITLES_FOREIGN_OTHER = ("Purchasing Manager", "Quality Manager", "Plant Manager", "Engineering Manager")

CONTACT_SOURCES = (
    "Visitkort, Elmia Subcontractor 2024",
    "Visitkort, Scanautomatic 2024",
    "Företagets webbplats",
    "LinkedIn",
    "Rekommendation från en kollega",
    "Växeln, frågade efter inköp",
    "Offertförfrågan via e-post",
    "Kundens leverantörsportal",
)
CONTACT_SOURCES_FOREIGN = (
    "Visitkort, Hannover Messe 2023",
    "Visitkort, Hannover Messe 2024",
    "LinkedIn",
    "Introduktion via vår agent",
    "Offertförfrågan via e-post",
)

# (kind, text); {first} is the contact's first name where a text needs it.
FACTS: tuple[tuple[str, str], ...] = (
    ("pet", "Har en labrador som heter Sixten"),
    ("pet", "Två katter, Sigge och Doris"),
    ("pet", "Tävlar i agility med sin border collie Ronja"),
    ("pet", "Har en islandshäst på stall utanför stan"),
    ("pet", "Nyinköpt tax, Bamse, som följer med till jobbet på fredagar"),
    ("family", "Två barn i lågstadiet; dottern spelar fotboll"),
    ("family", "Blev morfar i våras"),
    ("family", "Partnern jobbar som barnmorska; mycket skiftarbete hemma"),
    ("family", "Sonen läser maskinteknik på Chalmers"),
    ("family", "Tvillingar som börjar gymnasiet i höst"),
    ("interest", "Åker Vasaloppet varje år"),
    ("interest", "Fiskar flugfiske i Jämtland varje sommar"),
    ("interest", "Seglar en gammal folkbåt"),
    ("interest", "Stor hockeyfan, säsongskort på Frölunda"),
    ("interest", "Bakar surdegsbröd och delar gärna recept"),
    ("interest", "Renoverar en Volvo Amazon från 1966"),
    ("interest", "Springer halvmaraton, siktar på Göteborgsvarvet"),
    ("interest", "Sjunger i kör"),
    ("preference", "Dricker bara te, helst grönt"),
    ("preference", "Föredrar möten på förmiddagen, aldrig efter 15"),
    ("preference", "Vill ha underlaget på mejl dagen innan mötet"),
    ("preference", "Tycker om att ses på plats, gärna med en fika"),
    ("preference", "Föredrar telefon framför Teams"),
    ("preference", "Vegetarian"),
    ("dislike", "Ogillar långa PowerPoint-presentationer"),
    ("preference", "Inga nötter i fikat eller i gåvor"),
    ("dislike", "Tycker illa om oanmälda säljsamtal"),
    ("dislike", "Ogillar golf och golfinbjudningar"),
    ("date", "Fyller 50 den 14 mars"),
    ("date", "Har namnsdag och firar den på riktigt"),
    ("date", "Semester alltid veckorna 28–31"),
    ("date", "Tillträdde som chef i januari förra året"),
    ("other", "Var tidigare konstruktör hos en konkurrent"),
    ("other", "Sitter i styrelsen för den lokala företagarföreningen"),
)
FACT_SOURCES = ("contact", "contact", "contact", "colleague", "staff", "public")

TOPICS = (
    "tätningar",
    "hydraulcylindrar",
    "ventilblock",
    "specialstål",
    "slitdelar",
    "pumpar",
    "serviceavtalet",
    "reservdelslagret",
    "leveransplanen",
    "prisjusteringen",
    "kvalitetsrevisionen",
    "den nya produktionslinjen",
)

DEAL_TITLES = (
    "Ramavtal {topic} {year}",
    "Pilotserie {topic}",
    "Ombyggnad linje {n}",
    "Serviceavtal {year}",
    "Reservdelspaket {year}",
    "Uppgradering av {topic}",
    "Nyleverans {topic}, etapp {n}",
    "Eftermarknadsavtal {year}",
)
DEAL_TOPICS = ("tätningar", "hydraulik", "ventiler", "specialstål", "pumpar", "slitdelar", "cylindrar", "filter")

NOTES_IN_PERSON = (
    "Besök på plats hos {company}. Gick igenom {topic} med {contact} och fick en rundtur i verkstaden. "
    "De planerar att öka volymen till hösten.",
    "Fika och genomgång av {topic}. {contact} visade den nya linjen; flaskhalsen sitter i efterbearbetningen, "
    "där vi kan hjälpa till.",
    "Möte på plats. Pratade länge om annat än affären: familj, semester och hockey. Sedan kort om {topic}; "
    "de vill ha en offert före månadsskiftet.",
    "Kvartalsmöte hos kunden. Leveransprecisionen är bättre än i våras. {contact} tog upp {topic} och vill "
    "testa en ny variant.",
    "Besök med kanelbullar från bageriet. {contact} var öppen om problemen med nuvarande leverantör av {topic}.",
    "Lunch och platsbesök. Såg hur de monterar; förstod äntligen varför de ber om kortare ledtider.",
    "Träffade {contact} och produktionsledningen. Bra stämning, konkreta nästa steg om {topic}.",
)
NOTES_VIDEO = (
    "Teams-möte om {topic}. Kort och effektivt, 27 minuter med agenda. Fick svar på det tekniska men inte mycket mer.",
    "Videomöte med {contact}. Genomgång av offerten för {topic}; de återkommer efter internt möte.",
    "Uppföljning via Teams. {contact} hade kameran avstängd större delen av mötet.",
    "Videomöte om {topic}. Tekniska frågor besvarade; inköp vill jämföra med ett annat anbud.",
    "Teams med {contact} och deras konstruktör. Skärmdelning av ritningar för {topic}.",
)
NOTES_PHONE = (
    "Ringde {contact} om {topic}. Allt enligt plan, nästa leverans bekräftad.",
    "Telefonsamtal: {contact} ville stämma av {topic} och leveransdatum.",
    "Kort samtal om en reklamation på {topic}; vi skickar ersättning direkt.",
    "{contact} ringde och frågade om priser på {topic} för nästa år.",
)
NOTES_EMAIL = (
    "Mejlväxling om {topic}. Skickade datablad och prisindikation.",
    "E-post från {contact} med frågor om {topic}; besvarat samma dag.",
    "Skickade orderbekräftelse och uppdaterad leveransplan för {topic}.",
)
UNSAID = (
    "Verkade stressad och nämnde inte budgeten. Kan vara en investeringsfrysning på gång.",
    "Fick känslan att en konkurrent redan varit där.",
    "{contact} undvek frågan om volymerna nästa år.",
    "Tror att {contact} är på väg att byta jobb.",
    "Inköp och produktion verkar inte överens om vad de behöver.",
    "Nöjd men säger det inte rakt ut; vill nog bli tillfrågad som referens.",
    "Märkte att {contact} tittade på klockan hela tiden. Fel dag att ta upp priset.",
    "Hon nämnde sin pappas sjukdom i förbigående. Ta det försiktigt nästa gång.",
)
NEXT_STEPS = (
    "Skicka offert",
    "Boka besök på plats",
    "Följ upp leveransen",
    "Skicka provbitar",
    "Stäm av med teknik",
)

GIFTS_GIVEN: tuple[tuple[str, str, int, str], ...] = (
    # (description, category, value in SEK, occasion)
    ("En påse kanelbullar från bageriet", "food", 120, ""),
    ("Julkorg med svenska delikatesser", "food", 295, "christmas"),
    ("Lunch efter leveransgenomgången", "hospitality", 420, ""),
    ("Anteckningsböcker och pennor med logga", "object", 150, ""),
    ("Fikabröd till personalrummet", "food", 90, ""),
    ("Blomsterbukett till 50-årsdagen", "object", 350, "birthday"),
    ("Biljetter till hockeymatch med middag", "event", 1400, ""),
    ("Julchoklad från ett konditori i Göteborg", "food", 240, "christmas"),
)
GIFTS_RECEIVED: tuple[tuple[str, str, int, str], ...] = (
    ("Kaffe och julgodis vid besöket", "food", 150, "christmas"),
    ("Inbjudan till kundens sommarmingel", "hospitality", 300, ""),
    ("Flaska vin som tack för snabb leverans", "food", 220, ""),
)
