"""The sources every clinical rule cites, by the short key the rules use.

Pure data, no ORM. Rules, thresholds and norms name their sources with these
keys (``"ILAE-SE; NHS-HT"``); ``docs/clinical-rules.md`` lists them with the rules
that cite each one. ``brief`` and ``design choice`` are keys too: the product's
founding article, and the team's own choice where no source fixes a value
(always the safer side).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "brief": "The product's founding lay article, \"Baby's Foot Twitches\".",
        "design choice": (
            "The team's own choice where no source fixes the value or wording; it always "
            "takes the safer side and is marked in the code."
        ),
        "AAP-CA": "AAP patient education on corrected age.",
        "RCPCH": "RCPCH digital growth charts, rules on age correction.",
        "NICE-FEVER": (
            "NICE guideline NG143, fever in under 5s (under 3 months with 38 °C or more is high risk)."
        ),
        "NG51": "NICE guideline NG51, suspected sepsis (below 36 °C counts as a risk criterion).",
        "EF-SAP": "Epilepsy Foundation, seizure action plan.",
        "ILAE-SE": "Trinka et al., status epilepticus (5 minutes). Epilepsia 2015;56:1515.",
        "NHS-HT": "NHS Healthier Together, fits and seizures pages.",
        "KIDSHEALTH": "Nemours KidsHealth, febrile seizures.",
        "GOMELLA": "Gomella's Neonatology, seizures and jitteriness.",
        "ALFONSO": "Alfonso, paroxysmal motor events in neonates.",
        "ICNA": "ICNApedia, paroxysmal non-epileptic events.",
        "BNSM": "Benign neonatal sleep myoclonus. Mov Disord 1993;8:191.",
        "ISAN": "Infantile Spasms Action Network, \"STOP\" guidance.",
        "ACNS": "Shellhaas et al. (ACNS). J Clin Neurophysiol 2011;28:611.",
        "AAP-FS": "AAP febrile seizure guideline. Pediatrics 2011;127:389.",
        "STATPEARLS-MORO": "StatPearls, Moro reflex.",
        "FUTAGI-2012": "Futagi et al. Int J Pediatr 2012:191562.",
        "FUTAGI-1999": "Futagi et al. Pediatr Neurol 1999;20:111.",
        "ZAFEIRIOU-2000": "Zafeiriou et al. Pediatr Neurol 2000;22:75.",
        "ZAFEIRIOU-2004": "Zafeiriou. Pediatr Neurol 2004;31:1.",
        "MEDLINEPLUS": "MedlinePlus, Babinski reflex.",
        "UTAH": "University of Utah, NeuroLogic Exam.",
        "HAATAJA": "Haataja et al., Hammersmith Infant Neurological Examination. J Pediatr 1999;135:153.",
        "MACKEITH": "Mac Keith Press, HINE frequently asked questions.",
        "NOVAK": "Novak et al. JAMA Pediatr 2017;171:897.",
        "HAY": "Hay et al. Pediatr Neurol 2018;87:70.",
        "JPEDS-2022": "HINE reference values in healthy infants aged 3-7 months. J Pediatr 2022.",
        "CDC-LTSAE": "CDC, \"Learn the Signs. Act Early.\" milestone checklists.",
        "ZUBLER": "Zubler et al. Pediatrics 2022;149:e2021052138.",
        "NORITZ": "Noritz et al., motor delays. Pediatrics 2013;131:e2016.",
        "VURALLI": "Vuralli, hypocalcaemia. Int J Pediatr 2019.",
        "NHS-GEN": "NHS Genomics Education Programme, the hypotonic infant.",
        "ACMG": "American College of Medical Genetics and Genomics. Genet Med 2021;23:2029.",
    }
)


def cited_keys(source: str) -> list[str]:
    """The keys a source string cites: ',' and ';' separate them, parentheses are comments.

    ``"ZAFEIRIOU-2004; design choice (CLINICAL.md section 4 ranges)"`` cites
    ``["ZAFEIRIOU-2004", "design choice"]``.
    """
    bare = re.sub(r"\([^)]*\)", "", source)
    return [part.strip() for part in re.split(r"[;,]", bare) if part.strip()]
