"""Vocabularies of investment attraction (DOMAIN.md §2), with their Chinese names."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhaoshang.core.choices import PersonRank


class Stage(models.TextChoices):
    """项目阶段: 线索→意向→洽谈→签约→落地→开工→投产, side states 暂缓/终止."""

    LEAD = "lead", _("Lead")
    INTENTION = "intention", _("Intention")
    NEGOTIATION = "negotiation", _("Negotiation")
    SIGNED = "signed", _("Signed")
    LANDED = "landed", _("Landed")
    CONSTRUCTION = "construction", _("Under construction")
    PRODUCTION = "production", _("In production")
    PAUSED = "paused", _("Paused")
    TERMINATED = "terminated", _("Terminated")


MAIN_STAGES: tuple[str, ...] = (
    Stage.LEAD,
    Stage.INTENTION,
    Stage.NEGOTIATION,
    Stage.SIGNED,
    Stage.LANDED,
    Stage.CONSTRUCTION,
    Stage.PRODUCTION,
)
SIDE_STAGES: tuple[str, ...] = (Stage.PAUSED, Stage.TERMINATED)


def stage_rank(stage: str) -> int:
    """Position on the main line; side states rank after it."""
    return MAIN_STAGES.index(stage) if stage in MAIN_STAGES else len(MAIN_STAGES)


class KeyRegion(models.TextChoices):
    """来源地区: the seed's key regions, another province, or abroad."""

    YANGTZE = "yrd", _("Yangtze River Delta")
    PEARL = "prd", _("Pearl River Delta")
    JINGJINJI = "jjj", _("Beijing-Tianjin-Hebei / Bohai Rim")
    OTHER_PROVINCE = "province", _("Other province")
    LOCAL = "local", _("Within the province")
    OVERSEAS = "overseas", _("Overseas")


class Method(models.TextChoices):
    """招商方式 (seed)."""

    BY_BUSINESS = "by_business", _("Investment by business")
    CHAIN = "chain", _("Industry-chain investment")
    RESIDENT = "resident", _("Resident-office investment")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door investment")
    POINT_TO_POINT = "point_to_point", _("Point-to-point investment")
    LEADER_LED = "leader_led", _("Leader-led investment")
    EXHIBITION = "exhibition", _("Exhibition investment")
    OTHER = "other", _("Other")


class KeyLevel(models.TextChoices):
    NONE = "", _("Not a key project")
    DISTRICT = "district", _("District key project")
    CITY = "city", _("City key project")
    PROVINCE = "province", _("Provincial key project")


class ActivityKind(models.TextChoices):
    """招商活动."""

    VISIT = "visit", _("Visit out")
    RECEPTION = "reception", _("Reception")
    TALKS = "talks", _("Talks")
    EXHIBITION = "exhibition", _("Exhibition")
    CALL = "call", _("Phone/video call")


class EnterpriseTag(models.TextChoices):
    LISTED = "listed", _("Listed company")
    GLOBAL_500 = "global500", _("Fortune Global 500")
    CHINA_500 = "china500", _("China Top 500")
    SPECIALISED = "specialised", _("Specialised and innovative SME")
    HIGH_TECH = "hightech", _("High-tech enterprise")


class LinkKind(models.TextChoices):
    SUPPLIER_OF = "supplier_of", _("Supplier of")
    CUSTOMER_OF = "customer_of", _("Customer of")


#: 牵头 leaders of a chain or a work plan: a district leader or a division-level cadre (seed:
#: “一名处级干部牵头”; DOMAIN.md §2)
LEADER_RANKS: tuple[str, ...] = (PersonRank.DISTRICT_LEADER, PersonRank.DIVISION)
#: the ranks each slot of the responsibility chain takes (DOMAIN.md §2 "Responsibility chain")
CHAIN_RANKS: dict[str, tuple[str, ...]] = {
    "lead_cadre": LEADER_RANKS,
    "responsible_chief": (PersonRank.CHIEF,),
    "frontline_sub_chief": (PersonRank.SUB_CHIEF,),
    "trackers": (PersonRank.OFFICER,),
}
#: the one-person slots of the chain, in the order they are judged and shown
CHAIN_SLOTS = ("lead_cadre", "responsible_chief", "frontline_sub_chief")
