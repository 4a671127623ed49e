"""HTTP API of project construction: one router made of the subjects' routers."""

from ninja import Router

from .capital import router as capital_router
from .investment import router as investment_router
from .reserve import router as reserve_router
from .workplan import router as workplan_router

router = Router(tags=["construction"])
router.add_router("", investment_router)
router.add_router("", workplan_router)
router.add_router("", reserve_router)
router.add_router("", capital_router)
