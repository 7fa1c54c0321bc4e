"""Default message templates: the words every new organization starts with.

One text per step kind × tone × language, used for both the e-mail and the letter (the 14-day term's
wording follows the medium through ``{{ term_wording }}``), plus an SMS and a call script. Reminders
are never numbered (DOMAIN.md §1): a debtor who knows a "third reminder" follows waits for the last.

Tone of voice: *friendly* is warm and assumes the invoice slipped through, offering help; *firm* is
clear and direct and names the consequences; *formal* is legal and precise. Texts say "u" in Dutch.
The 14-day letter (veertiendagenbrief, art. 6:96 lid 6 BW) states that it is free of charge, lists
every invoice, states the exact collection costs and uses the accepted term wording (HR 25-11-2016).
The notice of default (ingebrekestelling) gives a term and offers a payment arrangement.
"""

from __future__ import annotations

from dataclasses import dataclass

from reminders.models import StepKind, Tone
from reminders.rendering.texts import TemplateTexts

R, N, F14, FIN, H = (
    StepKind.REMINDER,
    StepKind.NOTICE_OF_DEFAULT,
    StepKind.FOURTEEN_DAY_LETTER,
    StepKind.FINAL_NOTICE,
    StepKind.HAND_OVER,
)


FR, FI, FO = Tone.FRIENDLY, Tone.FIRM, Tone.FORMAL


@dataclass(frozen=True)
class Words:
    subject: str
    body: str  # the e-mail text and the letter text
    sms: str


NL_PAY = (
    "U kunt het bedrag van {{ total_open }} overmaken naar {{ organization.iban }} ten name van "
    "{{ organization.legal_name }}, onder vermelding van {{ payment_reference }}."
    "{% if portal_url %} Online betalen kan ook: {{ portal_url }}{% endif %}"
)


EN_PAY = (
    "Please transfer {{ total_open }} to {{ organization.iban }} in the name of {{ organization.legal_name }}, "
    "stating {{ payment_reference }}.{% if portal_url %} You can also pay online: {{ portal_url }}{% endif %}"
)


NL_PAY_HOW = (
    "U kunt het overmaken naar {{ organization.iban }} ten name van {{ organization.legal_name }}, onder "
    "vermelding van {{ payment_reference }}.{% if portal_url %} Online betalen kan ook: {{ portal_url }}{% endif %}"
)


EN_PAY_HOW = (
    "You can transfer it to {{ organization.iban }} in the name of {{ organization.legal_name }}, stating "
    "{{ payment_reference }}.{% if portal_url %} You can also pay online: {{ portal_url }}{% endif %}"
)


NL_CONTACT = "{% if contact_details %} via {{ contact_details }}{% endif %}"


EN_CONTACT = "{% if contact_details %} at {{ contact_details }}{% endif %}"


NL_REGARDS = "Met vriendelijke groet,\n{{ organization.name }}"


EN_REGARDS = "Kind regards,\n{{ organization.name }}"


NL_FORMAL_REGARDS = "Hoogachtend,\n{{ organization.legal_name }}"


EN_FORMAL_REGARDS = "Yours faithfully,\n{{ organization.legal_name }}"


NL_SMS_PAY = (
    "{% if portal_url %}Betaal online: {{ portal_url }}{% else %}Rekening {{ organization.iban }} "
    "t.n.v. {{ organization.legal_name }} o.v.v. {{ payment_reference }}.{% endif %}"
)


EN_SMS_PAY = (
    "{% if portal_url %}Pay online: {{ portal_url }}{% else %}Account {{ organization.iban }} "
    "({{ organization.legal_name }}), ref. {{ payment_reference }}.{% endif %}"
)


def _text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


NL: dict[tuple[str, str], Words] = {
    (R, FR): Words(
        subject="{% if overdue %}Openstaand bedrag bij {{ organization.name }}{% else %}"
        "Binnenkort te betalen aan {{ organization.name }}{% endif %}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if overdue %}Misschien is het u ontgaan: volgens onze administratie is het onderstaande nog niet "
            "betaald. Dat kan natuurlijk gebeuren.{% else %}Een vriendelijke vooraankondiging: binnenkort is het "
            "onderstaande bedrag te betalen. Zo komt het niet als een verrassing.{% endif %}",
            "{{ invoice_table }}",
            NL_PAY,
            "Heeft u al betaald? Dan kunt u dit bericht als niet verzonden beschouwen, en dank daarvoor. Klopt er "
            "iets niet of lukt betalen even niet? Laat het ons gerust weten" + NL_CONTACT + ", dan zoeken we "
            "samen naar een oplossing.",
            NL_REGARDS,
        ),
        sms="Hallo, {{ organization.name }} hier. {% if overdue %}Er staat nog {{ total_open }} open"
        ".{% else %}Binnenkort is {{ total_open }} te betalen"
        ".{% endif %} " + NL_SMS_PAY + " Al betaald? Dank u wel!",
    ),
    (R, FI): Words(
        subject="{% if overdue %}Betaling verlopen: {{ total_open }} openstaand bij {{ organization.name }}"
        "{% else %}Betaling binnenkort verwacht door {{ organization.name }}{% endif %}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if overdue %}De betaaltermijn van het onderstaande is verstreken en wij hebben uw betaling nog niet "
            "ontvangen.{% else %}Binnenkort verloopt de betaaltermijn van het onderstaande. Wij rekenen op betaling "
            "uiterlijk op de vervaldatum.{% endif %}",
            "{{ invoice_table }}",
            "{% if overdue %}Wij verzoeken u het bedrag van {{ total_open }} per omgaande over te maken{% else %}"
            "Maak het bedrag van {{ total_open }} op tijd over{% endif %} naar {{ organization.iban }} ten name van "
            "{{ organization.legal_name }}, onder vermelding van {{ payment_reference }}."
            "{% if portal_url %} Online betalen kan ook: {{ portal_url }}{% endif %}",
            "{% if overdue %}Blijft betaling uit, dan zetten wij de volgende stap in de invordering. Wettelijke rente "
            "en incassokosten kunnen dan voor uw rekening komen. {% endif %}Kunt u niet in één keer betalen? Neem "
            "dan direct contact met ons op" + NL_CONTACT + ", dan bespreken we een betalingsregeling.",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: {% if overdue %}de betaaltermijn is verstreken, er staat {{ total_open }} open"
        ". Graag per omgaande betalen.{% else %}op de vervaldatum verwachten wij "
        "{{ total_open }}.{% endif %} " + NL_SMS_PAY,
    ),
    (R, FO): Words(
        subject="{% if overdue %}Betalingsherinnering {{ organization.legal_name }}{% else %}"
        "Aankondiging vervaldatum {{ organization.legal_name }}{% endif %}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if overdue %}Uit onze administratie blijkt dat het onderstaande, ondanks het verstrijken van de "
            "betaaltermijn, nog niet is voldaan.{% else %}Hierbij wijzen wij u erop dat de betaaltermijn van het "
            "onderstaande binnenkort verstrijkt.{% endif %}",
            "{{ invoice_table }}",
            "Wij verzoeken u het openstaande bedrag van {{ total_open }} {% if overdue %}per omgaande{% else %}"
            "uiterlijk op de vervaldatum{% endif %} over te maken op rekeningnummer {{ organization.iban }} ten name "
            "van {{ organization.legal_name }}, onder vermelding van {{ payment_reference }}."
            "{% if portal_url %} Betalen kan ook via {{ portal_url }}.{% endif %}",
            "Indien u het bedrag inmiddels heeft voldaan, kunt u dit bericht als niet verzonden beschouwen. Voor "
            "vragen kunt u contact met ons opnemen" + NL_CONTACT + ".",
            NL_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: {% if overdue %}volgens onze administratie is {{ total_open }} nog niet "
        "voldaan{% else %}binnenkort vervalt {{ total_open }}{% endif %}. " + NL_SMS_PAY,
    ),
    (N, FR): Words(
        subject="Verzoek om betaling binnen {{ payment_term_days }} dagen: {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Wij hebben u op {{ last_message_date }} al aan de betaling van het "
            "onderstaande herinnerd, maar hebben nog niets ontvangen.{% else %}Volgens onze administratie is het "
            "onderstaande nog niet betaald, terwijl de betaaltermijn is verstreken.{% endif %} Wij begrijpen dat er "
            "omstandigheden kunnen zijn, maar moeten u nu wel formeel vragen te betalen.",
            "{{ invoice_table }}",
            "Wij stellen u hierbij in gebreke en geven u {{ payment_term_days }} dagen, tot en met "
            "{{ payment_deadline }}, om het bedrag van {{ total_open }} te betalen. " + NL_PAY_HOW,
            "Betaalt u niet binnen deze termijn, dan bent u in verzuim en geven wij de vordering uit handen. De "
            "wettelijke handelsrente en de incassokosten komen dan voor uw rekening.",
            "Lukt het niet om in één keer te betalen? Neem dan vóór {{ payment_deadline }} contact met ons op"
            + NL_CONTACT
            + ". Wij denken graag mee over een betalingsregeling.",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: er staat nog {{ total_open }} open. Betaal "
        "uiterlijk {{ payment_deadline }} om verdere stappen te voorkomen. " + NL_SMS_PAY + " Een regeling "
        "nodig? Neem contact op.",
    ),
    (N, FI): Words(
        subject="Ingebrekestelling: betaal uiterlijk {{ payment_deadline }} aan {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Ondanks onze {% if earlier_message_count > 1 %}herinneringen"
            "{% else %}herinnering{% endif %} heeft u het onderstaande nog niet betaald.{% else %}De betaaltermijn "
            "van het onderstaande is verstreken en wij hebben uw betaling nog niet ontvangen.{% endif %}",
            "{{ invoice_table }}",
            "Wij stellen u hierbij in gebreke. U heeft {{ payment_term_days }} dagen, tot en met "
            "{{ payment_deadline }}, om het bedrag van {{ total_open }} te betalen. " + NL_PAY_HOW,
            "Ontvangen wij uw betaling niet binnen deze termijn, dan bent u in verzuim en dragen wij de vordering "
            "over voor incasso. De wettelijke handelsrente en de buitengerechtelijke incassokosten komen dan voor "
            "uw rekening.",
            "Kunt u niet in één keer betalen? Neem dan vóór {{ payment_deadline }} contact met ons op"
            + NL_CONTACT
            + " om een betalingsregeling af te spreken.",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: ingebrekestelling voor {{ total_open }}. Betaal "
        "uiterlijk {{ payment_deadline }}, anders volgt incasso. " + NL_SMS_PAY,
    ),
    (N, FO): Words(
        subject="Ingebrekestelling {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Ondanks onze eerdere {% if earlier_message_count > 1 %}herinneringen"
            "{% else %}herinnering{% endif %} (de meest recente op {{ last_message_date }}) heeft u de onderstaande "
            "vordering nog niet voldaan.{% else %}Uit onze administratie blijkt dat de onderstaande vordering, "
            "ondanks het verstrijken van de betaaltermijn, nog niet is voldaan.{% endif %}",
            "{{ invoice_table }}",
            "Hierbij stellen wij u in gebreke. Wij sommeren u het openstaande bedrag van {{ total_open }} binnen "
            "{{ payment_term_days }} dagen, dat wil zeggen uiterlijk op {{ payment_deadline }}, te voldoen op "
            "rekeningnummer {{ organization.iban }} ten name van {{ organization.legal_name }}, onder vermelding "
            "van {{ payment_reference }}.{% if portal_url %} Betalen kan ook via {{ portal_url }}.{% endif %}",
            "Indien betaling binnen deze termijn uitblijft, verkeert u in verzuim. Wij zullen de vordering dan "
            "zonder nadere aankondiging uit handen geven. De wettelijke handelsrente (artikel 6:119a BW) en de "
            "buitengerechtelijke incassokosten (artikel 6:96 BW) komen in dat geval voor uw rekening.",
            "Bent u niet in staat het bedrag in één keer te voldoen, dan bieden wij u de mogelijkheid een "
            "betalingsregeling te treffen. Neemt u daartoe vóór {{ payment_deadline }} contact met ons op"
            + NL_CONTACT
            + ".",
            NL_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: ingebrekestelling voor {{ total_open }}, te "
        "voldoen uiterlijk {{ payment_deadline }}. " + NL_SMS_PAY,
    ),
    (F14, FR): Words(
        subject="Kosteloze herinnering: betaal {{ total_open }} en voorkom incassokosten",
        body=_text(
            "{{ debtor.salutation }},",
            "Volgens onze administratie is het onderstaande nog niet betaald, terwijl de betaaltermijn is "
            "verstreken. Wij willen u graag de kans geven dit zonder extra kosten op te lossen.",
            "{{ invoice_table }}",
            "Wilt u het bedrag van {{ total_open }} betalen {{ term_wording }}? U kunt het overmaken naar "
            "{{ organization.iban }} ten name van {{ organization.legal_name }}, onder vermelding van "
            "{{ payment_reference }}.{% if portal_url %} Online betalen kan ook: {{ portal_url }}{% endif %}",
            "Aan deze herinnering zijn voor u geen kosten verbonden.",
            "Betaalt u niet binnen deze termijn, dan moeten wij de vordering helaas uit handen geven. U betaalt "
            "dan incassokosten van {{ collection_costs }}, zodat het totaal {{ total_with_costs }} wordt. Ook kunnen "
            "wij dan de wettelijke rente in rekening brengen. Betaalt u binnen de termijn een deel, dan worden de "
            "incassokosten berekend over wat er daarna nog openstaat.",
            "Lukt betalen nu even niet? Neem dan contact met ons op" + NL_CONTACT + ", dan kijken we samen naar "
            "een betalingsregeling.",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: er staat nog {{ total_open }} open. U ontvangt van "
        "ons een kosteloze herinnering per post of e-mail. " + NL_SMS_PAY,
    ),
    (F14, FI): Words(
        subject="Kosteloze aanmaning: betaal {{ total_open }} om incassokosten te voorkomen",
        body=_text(
            "{{ debtor.salutation }},",
            "De betaaltermijn van het onderstaande is verstreken en wij hebben uw betaling nog niet ontvangen.",
            "{{ invoice_table }}",
            "Wij verzoeken u het bedrag van {{ total_open }} te betalen {{ term_wording }}. Maak het over naar "
            "{{ organization.iban }} ten name van {{ organization.legal_name }}, onder vermelding van "
            "{{ payment_reference }}.{% if portal_url %} Online betalen kan ook: {{ portal_url }}{% endif %}",
            "Aan deze aanmaning zijn voor u geen kosten verbonden.",
            "Betaalt u niet binnen deze termijn, dan geven wij de vordering uit handen. U bent dan "
            "incassokosten verschuldigd van {{ collection_costs }}, zodat het totaal {{ total_with_costs }} wordt. "
            "Daarnaast brengen wij de wettelijke rente in rekening. Betaalt u binnen de termijn een deel, dan "
            "worden de incassokosten berekend over wat er daarna nog openstaat.",
            "Kunt u niet in één keer betalen? Neem dan direct contact met ons op" + NL_CONTACT + " voor een "
            "betalingsregeling.",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: er staat {{ total_open }} open. U ontvangt een "
        "kosteloze aanmaning; betaal op tijd om incassokosten te voorkomen. " + NL_SMS_PAY,
    ),
    (F14, FO): Words(
        subject="Kosteloze aanmaning {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "Uit onze administratie blijkt dat de onderstaande vordering, ondanks het verstrijken van de "
            "betaaltermijn, nog niet is voldaan.",
            "{{ invoice_table }}",
            "Wij verzoeken u het openstaande bedrag van {{ total_open }} te voldoen {{ term_wording }}, op "
            "rekeningnummer {{ organization.iban }} ten name van {{ organization.legal_name }}, onder vermelding "
            "van {{ payment_reference }}.{% if portal_url %} Betalen kan ook via {{ portal_url }}.{% endif %}",
            "Aan deze aanmaning zijn voor u geen kosten verbonden.",
            "Indien betaling binnen deze termijn uitblijft, zijn wij genoodzaakt de vordering uit handen te geven. "
            "U bent dan buitengerechtelijke incassokosten verschuldigd ten bedrage van {{ collection_costs }}, "
            "berekend volgens het Besluit vergoeding voor buitengerechtelijke incassokosten over het totaal van "
            "{{ total_open }}. Het totaal bedraagt dan {{ total_with_costs }}. Daarnaast bent u de wettelijke rente "
            "verschuldigd over de openstaande bedragen. Betaalt u binnen de termijn een deel, dan worden de "
            "incassokosten berekend over het bedrag dat daarna nog openstaat.",
            "Indien u het bedrag inmiddels heeft voldaan, kunt u dit bericht als niet verzonden beschouwen. Voor "
            "vragen of een betalingsregeling kunt u contact met ons opnemen" + NL_CONTACT + ".",
            NL_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: volgens onze administratie is {{ total_open }} nog niet voldaan"
        ". U ontvangt een kosteloze aanmaning. " + NL_SMS_PAY,
    ),
    (FIN, FR): Words(
        subject="Laatste herinnering van {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Ondanks onze herinneringen hebben wij{% else %}Wij hebben{% endif %} de "
            "betaling van het onderstaande nog niet ontvangen. Dat vinden wij jammer, want we lossen dit liever "
            "samen op.",
            "{{ invoice_table }}",
            "Wilt u het bedrag van {{ total_open }} nu betalen? " + NL_PAY_HOW,
            "Dit is onze laatste herinnering. Ontvangen wij uw betaling niet op korte termijn, dan dragen wij de "
            "vordering over voor incasso. Daar komen dan kosten bij die wij u graag besparen.",
            "Speelt er iets waardoor betalen lastig is? Bel of mail ons dan vandaag nog" + NL_CONTACT + "; een "
            "betalingsregeling is bespreekbaar.",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: laatste herinnering voor {{ total_open }}. Betaal "
        "nu om incasso te voorkomen. " + NL_SMS_PAY,
    ),
    (FIN, FI): Words(
        subject="Laatste herinnering: {{ total_open }} openstaand bij {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}U heeft het onderstaande, ondanks onze herinneringen, nog steeds niet "
            "betaald.{% else %}U heeft het onderstaande nog niet betaald, terwijl de betaaltermijn is verstreken."
            "{% endif %}",
            "{{ invoice_table }}",
            "Dit is onze laatste herinnering. Betaal het bedrag van {{ total_open }} per omgaande. " + NL_PAY_HOW,
            "Ontvangen wij uw betaling niet op korte termijn, dan dragen wij de vordering zonder verdere "
            "aankondiging over voor incasso. De incassokosten en de wettelijke rente komen dan voor uw rekening.",
            "Kunt u niet in één keer betalen? Neem dan vandaag nog contact met ons op" + NL_CONTACT + ".",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: laatste herinnering. {{ total_open }} is nog steeds niet betaald"
        ". Betaal per omgaande, anders volgt incasso. " + NL_SMS_PAY,
    ),
    (FIN, FO): Words(
        subject="Laatste aanmaning {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Ondanks onze eerdere herinneringen (de meest recente op "
            "{{ last_message_date }}) heeft u de onderstaande vordering nog altijd niet voldaan.{% else %}Uit onze "
            "administratie blijkt dat de onderstaande vordering, ondanks het verstrijken van de betaaltermijn, nog "
            "niet is voldaan.{% endif %}",
            "{{ invoice_table }}",
            "Dit is onze laatste aanmaning. Wij verzoeken u het openstaande bedrag van {{ total_open }} per "
            "omgaande te voldoen op rekeningnummer {{ organization.iban }} ten name van "
            "{{ organization.legal_name }}, onder vermelding van {{ payment_reference }}."
            "{% if portal_url %} Betalen kan ook via {{ portal_url }}.{% endif %}",
            "Indien wij uw betaling niet op korte termijn ontvangen, dragen wij de vordering zonder nadere "
            "aankondiging over voor incasso. De buitengerechtelijke incassokosten en de wettelijke rente komen "
            "in dat geval voor uw rekening.",
            "Indien u het bedrag inmiddels heeft voldaan, kunt u dit bericht als niet verzonden beschouwen. Voor "
            "het treffen van een betalingsregeling kunt u contact met ons opnemen" + NL_CONTACT + ".",
            NL_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: laatste aanmaning voor {{ total_open }}. "
        "Voldoe per omgaande om incasso te voorkomen. " + NL_SMS_PAY,
    ),
    (H, FR): Words(
        subject="Graag betaling van {{ total_open }} om incasso te voorkomen",
        body=_text(
            "{{ debtor.salutation }},",
            "Wij hebben u {% if earlier_message_count > 1 %}meerdere keren{% else %}eerder{% endif %} gevraagd "
            "het onderstaande te betalen, maar hebben geen betaling ontvangen. Dat spijt ons, maar wij kunnen niet "
            "anders dan de vordering uit handen te geven als u niet betaalt.",
            "{{ invoice_table }}",
            "Betaalt u niet, dan dragen wij de vordering over voor incasso. Dan komen er incassokosten en de "
            "wettelijke rente bij, en die zijn voor uw rekening.",
            "Heeft u in de tussentijd al betaald of wilt u nog iets met ons bespreken? Neem dan vandaag contact "
            "met ons op" + NL_CONTACT + ".",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} ({{ payment_reference }}) is niet betaald. Zonder betaling "
        "dragen wij de vordering over voor incasso; dan komen er kosten en rente bij. Al betaald? Neem contact op.",
    ),
    (H, FI): Words(
        subject="Zonder betaling volgt incasso: {{ total_open }} niet betaald",
        body=_text(
            "{{ debtor.salutation }},",
            "Ondanks {% if earlier_message_count > 1 %}onze herinneringen en aanmaningen{% else %}onze aanmaning"
            "{% endif %} heeft u het onderstaande niet betaald.",
            "{{ invoice_table }}",
            "Betaalt u niet, dan dragen wij de vordering over voor incasso. De incassokosten en de wettelijke "
            "rente komen dan bij het bedrag en zijn voor uw rekening.",
            "Heeft u inmiddels betaald? Neem dan direct contact met ons op" + NL_CONTACT + ".",
            NL_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} ({{ payment_reference }}) is niet betaald. Zonder betaling "
        "dragen wij de vordering over voor incasso; incassokosten en rente komen dan voor uw rekening.",
    ),
    (H, FO): Words(
        subject="Aankondiging van overdracht ter incasso: {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "Ondanks {% if earlier_message_count > 1 %}herhaalde verzoeken en aanmaningen{% else %}onze aanmaning"
            "{% endif %}{% if last_message_date %} (de meest recente op {{ last_message_date }}){% endif %} heeft u de "
            "onderstaande vordering niet voldaan.",
            "{{ invoice_table }}",
            "Wij delen u mede dat wij de vordering ter incasso uit handen geven, tenzij deze wordt voldaan. De "
            "buitengerechtelijke incassokosten en de wettelijke rente worden in dat geval aan de vordering "
            "toegevoegd en komen voor uw rekening.",
            "Indien u het bedrag inmiddels heeft voldaan, verzoeken wij u dit per omgaande aan ons te laten "
            "weten" + NL_CONTACT + ".",
            NL_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: de vordering van {{ total_open }} ({{ payment_reference }}) wordt "
        "ter incasso uit handen gegeven, tenzij deze wordt voldaan. Incassokosten en rente komen dan erbij.",
    ),
}


EN: dict[tuple[str, str], Words] = {
    (R, FR): Words(
        subject="{% if overdue %}Open amount at {{ organization.name }}{% else %}"
        "Coming up for payment at {{ organization.name }}{% endif %}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if overdue %}Perhaps this slipped through: according to our records, the following has not been "
            "paid yet. That can happen to anyone.{% else %}A friendly heads-up: the amount below will be due "
            "for payment soon, so it does not come as a surprise.{% endif %}",
            "{{ invoice_table }}",
            EN_PAY,
            "Already paid? Then please disregard this message, and thank you. Is something not right, or is paying "
            "difficult at the moment? Just let us know" + EN_CONTACT + " and we will find a solution together.",
            EN_REGARDS,
        ),
        sms="Hello, this is {{ organization.name }}. {% if overdue %}{{ total_open }} is still open"
        ".{% else %}{{ total_open }} will be due soon.{% endif %} " + EN_SMS_PAY + " Already paid? Thank you!",
    ),
    (R, FI): Words(
        subject="{% if overdue %}Payment overdue: {{ total_open }} open at {{ organization.name }}{% else %}"
        "Payment due soon at {{ organization.name }}{% endif %}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if overdue %}The payment term of the following has passed and we have not received your payment."
            "{% else %}The payment term of the following ends soon. We expect payment by the due date.{% endif %}",
            "{{ invoice_table }}",
            "{% if overdue %}Please transfer {{ total_open }} immediately{% else %}Please transfer {{ total_open }} "
            "on time{% endif %} to {{ organization.iban }} in the name of {{ organization.legal_name }}, stating "
            "{{ payment_reference }}.{% if portal_url %} You can also pay online: {{ portal_url }}{% endif %}",
            "{% if overdue %}If payment is not received, we will take the next step in collecting this debt. "
            "Statutory interest and collection costs may then be charged to you. {% endif %}Unable to pay in one "
            "go? Contact us right away" + EN_CONTACT + " to discuss a payment plan.",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: {% if overdue %}the payment term has passed, {{ total_open }} is open"
        ". Please pay immediately.{% else %}we expect {{ total_open }} by the due date"
        ".{% endif %} " + EN_SMS_PAY,
    ),
    (R, FO): Words(
        subject="{% if overdue %}Payment reminder from {{ organization.legal_name }}{% else %}"
        "Notice of due date from {{ organization.legal_name }}{% endif %}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if overdue %}Our records show that the following has not been paid, although the payment term has "
            "passed.{% else %}We would like to point out that the payment term of the following ends soon."
            "{% endif %}",
            "{{ invoice_table }}",
            "We kindly request you to transfer the outstanding amount of {{ total_open }} {% if overdue %}"
            "without delay{% else %}no later than the due date{% endif %} to account {{ organization.iban }} in the "
            "name of {{ organization.legal_name }}, stating {{ payment_reference }}."
            "{% if portal_url %} You can also pay at {{ portal_url }}.{% endif %}",
            "If you have already paid, please disregard this message. For any questions, please contact "
            "us" + EN_CONTACT + ".",
            EN_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: {% if overdue %}according to our records {{ total_open }} is unpaid"
        "{% else %}{{ total_open }} will be due soon{% endif %}. " + EN_SMS_PAY,
    ),
    (N, FR): Words(
        subject="Request for payment within {{ payment_term_days }} days: {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}We reminded you about the payment of the following on "
            "{{ last_message_date }}, but have not received anything yet.{% else %}According to our records, the "
            "following has not been paid yet, although the payment term has passed.{% endif %} We understand that "
            "circumstances can get in the way, but we now have to ask you formally to pay.",
            "{{ invoice_table }}",
            "This letter is a formal notice of default: you have {{ payment_term_days }} days, until and including "
            "{{ payment_deadline }}, to pay {{ total_open }}. " + EN_PAY_HOW,
            "If you do not pay within this term, you will be in default and we will hand the claim over for "
            "collection. Statutory commercial interest and collection costs will then be charged to you.",
            "Unable to pay in one go? Contact us before {{ payment_deadline }}" + EN_CONTACT + ". We are happy to "
            "work out a payment plan with you.",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} is still open. Please pay by "
        "{{ payment_deadline }} to avoid further steps. " + EN_SMS_PAY + " Need a payment plan? Contact us.",
    ),
    (N, FI): Words(
        subject="Notice of default: pay {{ organization.name }} by {{ payment_deadline }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Despite our {% if earlier_message_count > 1 %}reminders{% else %}"
            "reminder{% endif %}, you have not paid the following.{% else %}The payment term of the following has "
            "passed and we have not yet received your payment.{% endif %}",
            "{{ invoice_table }}",
            "We hereby give you notice of default. You have {{ payment_term_days }} days, until and including "
            "{{ payment_deadline }}, to pay {{ total_open }}. " + EN_PAY_HOW,
            "If we do not receive your payment within this term, you will be in default and we will hand the "
            "claim over for collection. Statutory commercial interest and extrajudicial collection costs will then "
            "be charged to you.",
            "Unable to pay in one go? Contact us before {{ payment_deadline }}" + EN_CONTACT + " to agree on a "
            "payment plan.",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: notice of default for {{ total_open }}. Pay by "
        "{{ payment_deadline }}, or collection follows. " + EN_SMS_PAY,
    ),
    (N, FO): Words(
        subject="Notice of default from {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Despite our earlier {% if earlier_message_count > 1 %}reminders"
            "{% else %}reminder{% endif %}, most recently on {{ last_message_date }}, you have not yet settled the "
            "claim set out below.{% else %}According to our records, the claim set out below has not been settled, "
            "although the payment term has passed.{% endif %}",
            "{{ invoice_table }}",
            "We hereby give you notice of default. We demand that you pay the outstanding amount of "
            "{{ total_open }} within {{ payment_term_days }} days, that is no later than {{ payment_deadline }}, "
            "to account {{ organization.iban }} in the name of {{ organization.legal_name }}, stating "
            "{{ payment_reference }}.{% if portal_url %} You can also pay at {{ portal_url }}.{% endif %}",
            "If payment is not made within this term, you will be in default. We will then hand the claim over for "
            "collection without further notice. Statutory commercial interest (article 6:119a of the Dutch Civil "
            "Code) and extrajudicial collection costs (article 6:96 of the Dutch Civil Code) will be charged to "
            "you.",
            "If you are unable to pay the amount in one go, we offer you the opportunity to agree on a payment "
            "plan. Please contact us before {{ payment_deadline }}" + EN_CONTACT + ".",
            EN_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: notice of default for {{ total_open }}, "
        "payable by {{ payment_deadline }}. " + EN_SMS_PAY,
    ),
    (F14, FR): Words(
        subject="Free reminder: pay {{ total_open }} and avoid collection costs",
        body=_text(
            "{{ debtor.salutation }},",
            "According to our records, the following has not been paid, although the payment term has passed. We "
            "would like to give you the chance to settle this without any extra costs.",
            "{{ invoice_table }}",
            "Would you please pay {{ total_open }} {{ term_wording }}? You can transfer it to "
            "{{ organization.iban }} in the name of {{ organization.legal_name }}, stating {{ payment_reference }}."
            "{% if portal_url %} You can also pay online: {{ portal_url }}{% endif %}",
            "This reminder is free of charge.",
            "If you do not pay within this term, we will unfortunately have to hand the claim over for collection. "
            "You will then pay collection costs of {{ collection_costs }}, bringing the total to "
            "{{ total_with_costs }}. We may then also charge statutory interest. If you pay part of the amount "
            "within the term, the collection costs are calculated on what is still open after that.",
            "Is paying difficult right now? Contact us" + EN_CONTACT + " and we will look at a payment plan together.",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} is still open. You will receive "
        "a free reminder from us by post or e-mail. " + EN_SMS_PAY,
    ),
    (F14, FI): Words(
        subject="Free final demand: pay {{ total_open }} to avoid collection costs",
        body=_text(
            "{{ debtor.salutation }},",
            "The payment term of the following has passed and we have not received your payment.",
            "{{ invoice_table }}",
            "Please pay {{ total_open }} {{ term_wording }}. Transfer it to {{ organization.iban }} in the name of "
            "{{ organization.legal_name }}, stating {{ payment_reference }}."
            "{% if portal_url %} You can also pay online: {{ portal_url }}{% endif %}",
            "This demand is free of charge.",
            "If you do not pay within this term, we will hand the claim over for collection. You will then owe "
            "collection costs of {{ collection_costs }}, bringing the total to {{ total_with_costs }}. We will also "
            "charge statutory interest. If you pay part of the amount within the term, the collection costs are "
            "calculated on what is still open after that.",
            "Unable to pay in one go? Contact us right away" + EN_CONTACT + " for a payment plan.",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} is open. You will receive a free "
        "demand; pay on time to avoid collection costs. " + EN_SMS_PAY,
    ),
    (F14, FO): Words(
        subject="Demand for payment free of charge from {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "Our records show that the claim set out below has not been paid, although the payment term has passed.",
            "{{ invoice_table }}",
            "We request you to pay the outstanding amount of {{ total_open }} {{ term_wording }}, to account "
            "{{ organization.iban }} in the name of {{ organization.legal_name }}, stating {{ payment_reference }}."
            "{% if portal_url %} You can also pay at {{ portal_url }}.{% endif %}",
            "This demand is free of charge.",
            "If payment is not made within this term, we will have to hand the claim over for collection. You will "
            "then owe extrajudicial collection costs of {{ collection_costs }}, calculated under the Dutch Decree "
            "on compensation for extrajudicial collection costs on the total of {{ total_open }}. The total will "
            "then be {{ total_with_costs }}. In addition, you will owe statutory interest on the outstanding "
            "amounts. If you pay part of the amount within the term, the collection costs are calculated on the "
            "amount still open after that.",
            "If you have already paid, please disregard this message. For questions or a payment plan, please "
            "contact us" + EN_CONTACT + ".",
            EN_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: according to our records {{ total_open }} is unpaid"
        ". You will receive a demand free of charge. " + EN_SMS_PAY,
    ),
    (FIN, FR): Words(
        subject="Last reminder from {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Despite our reminders, we{% else %}We{% endif %} have not yet received "
            "payment of the following. That is a pity, because we would much rather solve this together.",
            "{{ invoice_table }}",
            "Would you please pay {{ total_open }} now? " + EN_PAY_HOW,
            "This is our last reminder. If we do not receive your payment shortly, we will hand the claim over for "
            "collection. That comes with costs we would rather spare you.",
            "Is something making it hard to pay? Call or e-mail us today" + EN_CONTACT + "; a payment plan is "
            "possible.",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: last reminder for {{ total_open }}. Pay now to avoid collection. " + EN_SMS_PAY,
    ),
    (FIN, FI): Words(
        subject="Last reminder: {{ total_open }} open at {{ organization.name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Despite our reminders, you still have not paid the following.{% else %}"
            "You have not paid the following, although the payment term has passed.{% endif %}",
            "{{ invoice_table }}",
            "This is our last reminder. Pay {{ total_open }} immediately. " + EN_PAY_HOW,
            "If we do not receive your payment shortly, we will hand the claim over for collection without further "
            "notice. Collection costs and statutory interest will then be charged to you.",
            "Unable to pay in one go? Contact us today" + EN_CONTACT + ".",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: last reminder. {{ total_open }} is still unpaid. "
        "Pay immediately, or collection follows. " + EN_SMS_PAY,
    ),
    (FIN, FO): Words(
        subject="Final demand from {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "{% if had_earlier_messages %}Despite our earlier reminders, most recently on {{ last_message_date }}, "
            "you have still not settled the claim set out below.{% else %}According to our records, the claim set "
            "out below has not been settled, although the payment term has passed.{% endif %}",
            "{{ invoice_table }}",
            "This is our final demand. We request you to pay the outstanding amount of {{ total_open }} without "
            "delay to account {{ organization.iban }} in the name of {{ organization.legal_name }}, stating "
            "{{ payment_reference }}.{% if portal_url %} You can also pay at {{ portal_url }}.{% endif %}",
            "If we do not receive your payment shortly, we will hand the claim over for collection without further "
            "notice. Extrajudicial collection costs and statutory interest will then be charged to you.",
            "If you have already paid, please disregard this message. To agree on a payment plan, please contact "
            "us" + EN_CONTACT + ".",
            EN_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: final demand for {{ total_open }}. Pay without "
        "delay to avoid collection. " + EN_SMS_PAY,
    ),
    (H, FR): Words(
        subject="Please pay {{ total_open }} to avoid collection",
        body=_text(
            "{{ debtor.salutation }},",
            "We have asked you {% if earlier_message_count > 1 %}several times{% else %}before{% endif %} to pay "
            "the following, but have not received payment. We are sorry, but unless you pay we have no choice but "
            "to hand the claim over.",
            "{{ invoice_table }}",
            "If you do not pay, we will hand the claim over for collection. Collection costs and statutory "
            "interest will then be added and charged to you.",
            "Have you paid in the meantime, or is there something you would like to discuss with us? Contact us "
            "today" + EN_CONTACT + ".",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} ({{ payment_reference }}) has not been paid. Unless paid, "
        "the claim will be handed over for collection, with costs and interest added. Already paid? Contact us.",
    ),
    (H, FI): Words(
        subject="Unless paid, collection follows: {{ total_open }} unpaid",
        body=_text(
            "{{ debtor.salutation }},",
            "Despite {% if earlier_message_count > 1 %}our reminders and demands{% else %}our demand{% endif %}, "
            "you have not paid the following.",
            "{{ invoice_table }}",
            "Unless you pay, we will hand the claim over for collection. Collection costs and statutory interest "
            "will then be added and charged to you.",
            "Have you paid in the meantime? Contact us right away" + EN_CONTACT + ".",
            EN_REGARDS,
        ),
        sms="{{ organization.name }}: {{ total_open }} ({{ payment_reference }}) has not been paid. Unless paid, "
        "the claim will be handed over for collection; costs and interest will then be charged to you.",
    ),
    (H, FO): Words(
        subject="Notice of hand-over for collection: {{ organization.legal_name }}",
        body=_text(
            "{{ debtor.salutation }},",
            "Despite {% if earlier_message_count > 1 %}repeated requests and demands{% else %}our demand"
            "{% endif %}{% if last_message_date %}, most recently on {{ last_message_date }},{% endif %} you have "
            "not settled the claim set out below.",
            "{{ invoice_table }}",
            "We hereby inform you that the claim will be handed over for collection unless it is settled. "
            "Extrajudicial collection costs and statutory interest will in that case be added to the claim and "
            "charged to you.",
            "If you have already paid, please let us know immediately" + EN_CONTACT + ".",
            EN_FORMAL_REGARDS,
        ),
        sms="{{ organization.legal_name }}: the claim of {{ total_open }} ({{ payment_reference }}) will be "
        "handed over for collection unless settled; costs and interest will then be added.",
    ),
}


NL_CALL = {
    "opening": "Goedendag, u spreekt met [uw naam] van {{ organization.name }}. Spreek ik met "
    "{% if debtor.contact_person %}{{ debtor.contact_person }}{% elif not debtor.is_business %}{{ debtor.name }}"
    "{% else %}degene die over de betalingen van {{ debtor.name }} gaat{% endif %}?",
    "reason": "Ik bel over het openstaande bedrag van {{ total_open }} ({{ payment_reference }}).",
    "questions": "Vraag:\n- Zijn de facturen ontvangen en kloppen ze?\n- Wanneer kunnen wij de betaling "
    "verwachten? Noteer de toegezegde datum en het bedrag.\n- Lukt het niet in één keer? Bied een "
    "betalingsregeling aan en noteer het voorstel.",
    "pay": "Betaalgegevens: {{ organization.iban }} ten name van {{ organization.legal_name }}, onder vermelding "
    "van {{ payment_reference }}.",
}


NL_CALL_STEP: dict[str, str] = {
    R: "Toon: behulpzaam. Misschien is de factuur niet aangekomen of ligt hij bij de verkeerde persoon.",
    N: "Meld dat er een ingebrekestelling is verstuurd met een termijn tot en met {{ payment_deadline }}.",
    F14: "Meld dat er een kosteloze aanmaning is verstuurd. Na de termijn volgen incassokosten van "
    "{{ collection_costs }}. Noem geen andere termijn dan die in de brief.",
    FIN: "Meld dat dit de laatste kans is voordat de vordering naar incasso gaat.",
    H: "Meld dat het dossier wordt overgedragen voor incasso; alleen volledige betaling vandaag kan dat nog voorkomen.",
}


EN_CALL = {
    "opening": "Good morning/afternoon, this is [your name] from {{ organization.name }}. Am I speaking with "
    "{% if debtor.contact_person %}{{ debtor.contact_person }}{% elif not debtor.is_business %}{{ debtor.name }}"
    "{% else %}the person who handles payments for {{ debtor.name }}{% endif %}?",
    "reason": "I am calling about the open amount of {{ total_open }} ({{ payment_reference }}).",
    "questions": "Ask:\n- Were the invoices received, and are they correct?\n- When can we expect payment? Note "
    "the promised date and amount.\n- Unable to pay in one go? Offer a payment plan and note the proposal.",
    "pay": "Payment details: {{ organization.iban }} in the name of {{ organization.legal_name }}, stating "
    "{{ payment_reference }}.",
}


EN_CALL_STEP: dict[str, str] = {
    R: "Tone: helpful. Perhaps the invoice never arrived or is with the wrong person.",
    N: "Mention that a notice of default was sent with a term until and including {{ payment_deadline }}.",
    F14: "Mention that a demand free of charge was sent. After its term, collection costs of "
    "{{ collection_costs }} follow. Do not name any term other than the one in the letter.",
    FIN: "Mention that this is the last chance before the claim goes to collection.",
    H: "Mention that the file is being handed over for collection; only full payment today can still prevent it.",
}


def _call_script(kind: str, language: str) -> str:
    parts, step = (NL_CALL, NL_CALL_STEP) if language == "nl" else (EN_CALL, EN_CALL_STEP)
    return _text(parts["opening"], parts["reason"], step[kind], "{{ invoice_table }}", parts["questions"], parts["pay"])


WORDS = {"nl": NL, "en": EN}


def default_texts(kind: str, tone: str, language: str) -> TemplateTexts:
    """The built-in words for one step kind, tone and language (Dutch for an unknown language)."""
    language = language if language in WORDS else "nl"
    words = WORDS[language][(kind, tone)]
    return TemplateTexts(
        email_subject=words.subject,
        email_body=words.body,
        sms_body=words.sms,
        letter_body=words.body,
        phone_script=_call_script(kind, language),
    )


def message_template_defaults(kind: str, tone: str, language: str) -> dict[str, str]:
    """Field values for a ``MessageTemplate`` row holding the default words."""
    texts = default_texts(kind, tone, language)
    return {name: getattr(texts, name) for name in TemplateTexts.__dataclass_fields__}
