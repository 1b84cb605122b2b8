#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "profile.h"
#include "text.h"

/* Jira's header names in English and in the UI languages it exports in:
 * Spanish, German, French, Portuguese (Brazil) and Russian.  Custom fields
 * keep the names the site gave them inside a localized "Custom field (...)". */
static const char *const jira_signature[] = {
	"issue key|work item key|clave de incidencia|vorgangsschlüssel|clé de ticket|clé du ticket|"
	    "chave da item|chave do item|ключ проблемы|ключ задачи",
	"created|creada|creado|erstellt|création|créé|criado|criada|создано|дата создания",
	NULL
};

static const char *const toggl_signature[] = {
	"user|member", "email", "start date", "start time", "end date", "end time", "duration", NULL
};

static const char *const clockify_signature[] = {
	"user|usuário|usuario", "start date|data de início|fecha de inicio",
	"start time|hora de início|hora de inicio", "duration h|duração h|duración h", NULL
};

static const char *const harvest_signature[] = {
	"Date", "Client", "Project", "Hours", "Billable?", "First Name", "Last Name", "Currency", NULL
};

static const struct kpo_profile profiles[] = {
	{
		.name = "jira",
		.what = "a Jira export",
		.signature = jira_signature,
		.aliases = {
			[KPO_COL_TASK_ID] = "issue key|work item key|clave de incidencia|vorgangsschlüssel|clé de ticket|"
			    "clé du ticket|chave da item|chave do item|ключ проблемы|ключ задачи",
			[KPO_COL_ENGAGEMENT_ID] = "engagement|project key|clave del proyecto|projektschlüssel|clé de projet|"
			    "clé du projet|chave do projeto|ключ проекта",
			[KPO_COL_VENDOR] = "supplier|provider|contractor|proveedor|anbieter|lieferant|dienstleister|"
			    "fournisseur|prestataire|fornecedor|подрядчик|поставщик",
			[KPO_COL_DOMAIN] = "practice|service line|dominio|domäne|bereich|domaine|domínio|"
			    "направление|домен",
			[KPO_COL_REGION] = "región|région|região|регион",
			[KPO_COL_REQUESTED_AT] = "created|creada|creado|erstellt|création|créé|criado|criada|создано",
			[KPO_COL_DUE_AT] = "due date|fecha de vencimiento|fecha límite|fälligkeitsdatum|fällig am|"
			    "date d'échéance|échéance|data limite|data de vencimento|срок исполнения|срок",
			[KPO_COL_DELIVERED_AT] = "resolved|resuelta|resuelto|erledigt|résolue|résolu|resolvido|resolvida|"
			    "дата решения|решено",
			[KPO_COL_HOURS] = "effort hours|time spent@s|tiempo empleado@s|tiempo invertido@s|"
			    "benötigte zeit@s|temps passé@s|temps consacré@s|temps consacre@s|tempo gasto@s|"
			    "затраченное время@s|потраченное время@s",
			[KPO_COL_COST] = "coste|costo|kosten|coût|custo|стоимость",
			[KPO_COL_CURRENCY] = "moneda|divisa|währung|devise|moeda|валюта",
		},
		/* People, titles and Jira's own categories, never a vendor, a domain
		 * or an engagement. */
		.exclude = "assignee|persona asignada|responsable|zugewiesene person|bearbeiter|personne assignée|"
		    "responsável|исполнитель|reporter|informador|autor|rapporteur|relator|автор|creator|ersteller|"
		    "создатель|summary|resumen|zusammenfassung|résumé|resumo|тема|резюме|category|status category|"
		    "categoría de estado|statuskategorie|labels|etiquetas|stichwörter|метки|sprint|спринт|components|"
		    "компоненты|project name|nombre del proyecto|projektname",
		.custom_prefix = "custom field|campo personalizado|benutzerdefinierte felder|benutzerdefiniertes feld|"
		    "champ personnalisé|champ personnalise|пользовательское поле",
	},
	{
		.name = "toggl",
		.what = "a Toggl Track detailed report",
		.signature = toggl_signature,
		.aliases = {
			[KPO_COL_ENGAGEMENT_ID] = "project",
			[KPO_COL_REQUESTED_AT] = "start date",
			[KPO_COL_DELIVERED_AT] = "end date",
			[KPO_COL_HOURS] = "duration",
			[KPO_COL_COST] = "amount",
		},
		.exclude = "task|client|description|tags|user|member|email|billable",
		.flags = KPO_PF_TIME_ENTRIES,
	},
	{
		.name = "clockify",
		.what = "a Clockify detailed report",
		.signature = clockify_signature,
		.aliases = {
			[KPO_COL_ENGAGEMENT_ID] = "project|projeto|proyecto",
			[KPO_COL_REQUESTED_AT] = "start date|data de início|fecha de inicio",
			[KPO_COL_DELIVERED_AT] = "end date|data de término|fecha de fin",
			[KPO_COL_HOURS] = "duration h|duração h|duración h",
			[KPO_COL_COST] = "billable amount|valor faturável|importe facturable",
		},
		/* Duration (decimal) is rounded to 0.01 h: Duration (h) is exact. */
		.exclude = "task|tarefa|tarea|client|cliente|description|descrição|descripción|tags|etiquetas|user|"
		    "usuário|usuario|group|grupo|email|e mail|billable|faturável|facturable|duration decimal|"
		    "duração decimal|duración decimal|billable rate|taxa faturável|tarifa facturable",
		.flags = KPO_PF_TIME_ENTRIES,
		.date_order = 'm',
	},
	{
		.name = "harvest",
		.what = "a Harvest detailed time report",
		.signature = harvest_signature,
		.aliases = {
			[KPO_COL_ENGAGEMENT_ID] = "project code|project",
			/* An entry is work done on its date. */
			[KPO_COL_REQUESTED_AT] = "date",
			[KPO_COL_DELIVERED_AT] = "date",
			[KPO_COL_COST] = "billable amount",
		},
		.exclude = "task|client|notes|hours rounded|billable rate|cost rate|cost amount|roles|first name|"
		    "last name|employee|billable|invoiced|approved",
		.flags = KPO_PF_TIME_ENTRIES,
	},
};

#define NPROFILES (sizeof profiles / sizeof profiles[0])

const struct kpo_profile *
kpo_profile_named(const char *name)
{
	size_t i;

	for (i = 0; i < NPROFILES; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

const char *
kpo_profile_names(void)
{
	return "jira, toggl, clockify, harvest";
}

/* Whether one of the '|' alternatives of ALTS is among KEYS. */
static int
has_one_of(const char *alts, char *const *keys, size_t n)
{
	char key[256];
	const char *a = alts, *bar;
	size_t i, len;

	for (;; a = bar + 1) {
		bar = strchr(a, '|');
		len = bar ? (size_t)(bar - a) : strlen(a);
		if (len < sizeof key) {
			kpo_header_key(a, len, key);
			for (i = 0; i < n; i++)
				if (strcmp(keys[i], key) == 0)
					return 1;
		}
		if (!bar)
			return 0;
	}
}

const struct kpo_profile *
kpo_profile_recognise(char *const *keys, size_t n)
{
	size_t p, s;

	for (p = 0; p < NPROFILES; p++) {
		for (s = 0; profiles[p].signature[s]; s++)
			if (!has_one_of(profiles[p].signature[s], keys, n))
				break;
		if (!profiles[p].signature[s])
			return &profiles[p];
	}
	return NULL;
}
