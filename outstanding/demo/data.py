"""Dutch names, places and products the demo is made of: plain constants."""

from __future__ import annotations

from decimal import Decimal

# fmt: off
FIRST_NAMES = (
    "Sanne", "Lotte", "Emma", "Julia", "Anouk", "Fleur", "Lisa", "Eva", "Sophie", "Iris", "Femke", "Noor", "Maaike",
    "Esther", "Ingrid", "Marieke", "Petra", "Daan", "Bram", "Thijs", "Lars", "Ruben", "Jeroen", "Sander", "Bas",
    "Niels", "Pieter", "Jan", "Kees", "Henk", "Wouter", "Mark", "Tim", "Joost", "Martijn",
)
SURNAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit",
    "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen",
    "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "Schouten", "van Beek", "Willems", "van Vliet",
    "Hoekstra", "Maas", "Verhoeven", "Koster", "Prins", "Postma", "Kuipers", "van Wijk", "Kramer", "Huisman",
)
BUSINESS_TYPES = (
    "Bakkerij", "Eetcafé", "Restaurant", "Lunchroom", "Hotel", "Brasserie", "Cateringbedrijf", "Snackbar",
    "Koffiebar", "Sportkantine", "Zorgcentrum", "Kinderopvang", "Strandpaviljoen", "Partycentrum", "IJssalon",
    "Bedrijfsrestaurant", "Pizzeria", "Grand Café",
)
BUSINESS_NAMES = (
    "De Gouden Leeuw", "Het Hoekje", "De Kroon", "Zeezicht", "De Zwaan", "Het Wapen van Holland", "De Molen",
    "De Linde", "Bij Anna", "De Smaak", "Het Pleintje", "De Haven", "Onder de Toren", "De Vier Jaargetijden",
    "Het Bonte Paard", "De Kastanje", "Bloem",
)
LEGAL_FORMS = ("B.V.", "B.V.", "V.O.F.", "")
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Stationsweg", "Julianastraat", "Beatrixlaan",
    "Wilhelminastraat", "Nieuwstraat", "Marktplein", "Industrieweg", "Havenweg", "Kastanjelaan", "Eikenlaan",
    "Parallelweg", "Oranjestraat", "Prins Hendrikkade", "Emmalaan", "Veldweg", "Sportlaan", "Lindenlaan", "Brink",
    "Voorstraat", "Achterweg", "Koningin Julianaweg",
)
# City with the first two digits of its postal codes.
CITIES = (
    ("Amsterdam", 10), ("Rotterdam", 30), ("Den Haag", 25), ("Utrecht", 35), ("Eindhoven", 56), ("Groningen", 97),
    ("Tilburg", 50), ("Almere", 13), ("Breda", 48), ("Nijmegen", 65), ("Apeldoorn", 73), ("Haarlem", 20),
    ("Arnhem", 68), ("Enschede", 75), ("Amersfoort", 38), ("Zwolle", 80), ("Leiden", 23), ("Maastricht", 62),
    ("Dordrecht", 33), ("Zoetermeer", 27), ("Deventer", 74), ("Delft", 26), ("Alkmaar", 18), ("Leeuwarden", 89),
    ("'s-Hertogenbosch", 52), ("Hoorn", 16), ("Gouda", 28), ("Middelburg", 43), ("Assen", 94), ("Venlo", 59),
)
POSTAL_LETTERS = "ABCEGHJKLMNPRTVWXZ"  # no S: SA, SD and SS are not used in Dutch postal codes
# Product lines of a wholesaler for the hospitality trade: (unit price excl. VAT, VAT rate).
# Food and soft drinks carry the low rate (9 %); alcohol, non-food and services the general 21 %.
LOW, HIGH = Decimal("0.09"), Decimal("0.21")
CATALOG = (
    (Decimal("18.50"), LOW), (Decimal("12.40"), LOW), (Decimal("14.95"), LOW), (Decimal("11.20"), LOW),
    (Decimal("13.80"), LOW), (Decimal("16.75"), LOW), (Decimal("21.90"), LOW), (Decimal("7.35"), LOW),
    (Decimal("24.60"), HIGH), (Decimal("19.95"), HIGH), (Decimal("38.00"), HIGH), (Decimal("17.50"), HIGH),
    (Decimal("41.70"), HIGH), (Decimal("52.80"), HIGH), (Decimal("145.00"), HIGH), (Decimal("9.45"), HIGH),
)
# fmt: on
PAUSE_REASONS = (
    "Betalingsregeling telefonisch afgesproken",
    "Factuur betwist, in behandeling",
    "Faillissement aangevraagd",
)
