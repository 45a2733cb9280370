"""Roles and what each may do, as data. One role per account (三员分立 follows from it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fangpin.core.regions import Level


class Role(StrEnum):
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    DEPARTMENT = "department"
    INSURER = "insurer"
    SYSADMIN = "sysadmin"
    SECADMIN = "secadmin"
    AUDITADMIN = "auditadmin"


@dataclass(frozen=True, slots=True)
class RoleSpec:
    label: str
    level: Level | None  # the region level an account of this role sits at (None: any)
    view_registry: bool = False
    edit_registry: bool = False
    import_ledger: bool = False
    export_ledger: bool = False
    read_audit: bool = False
    manage_users: bool = False
    manage_regions: bool = False
    unmask: bool = False  # may reveal a full ID number (audited each time)
    handle_cases: bool = False  # sees the identification pipeline and acts on its own level's steps
    manage_policy: bool = False  # edits the monitoring policy and holidays of its region
    view_pipeline: bool = False  # sees the identification pipeline of its region (counts per sub-region)
    handle_referrals: bool = False  # accepts, records and closes assistance measures referred to it
    upload_datasets: bool = False  # uploads department data for screening (its own kind; the county any kind)
    run_screening: bool = False  # runs screening and turns its warnings into leads (the county)
    # 安全管理员: changes an account's role, region and department (its grants), resets passwords and TOTP
    manage_grants: bool = False
    handle_grievances: bool = False  # registers grievances (诉求) and answers those it owns
    assign_grievances: bool = False  # assigns a grievance's owner, does the return visit, reopens (township, county)
    view_grievances: bool = False  # the grievance ledger (resolution rate) and its xlsx
    supervise: bool = False  # 督战: threshold rules, campaigns, 交办 problems to the regions below and sign them off
    manage_insurance: bool = False  # 防贫保险: the county's scheme and fund ledger, opens claims, approves payouts
    check_insurance: bool = False  # 防贫保险: the insurer's home check (核查) and payout proposal

    @property
    def view_users(self) -> bool:
        """The account list serves both the system administrator (accounts) and the security one (grants)."""
        return self.manage_users or self.manage_grants

    @property
    def simulate_policy(self) -> bool:
        """What-if runs of a draft policy (模拟新标准): whoever screens (the county) or sets the policy."""
        return self.run_screening or self.manage_policy

    @property
    def manage_jobs(self) -> bool:
        """就业帮扶: a county or township office publishes firms' labour demand (others recommend from it)."""
        return self.handle_cases and self.level in (Level.COUNTY, Level.TOWNSHIP)

    @property
    def view_problems(self) -> bool:
        """督战 problems are seen by the supervisors and by the offices they are assigned to."""
        return self.supervise or self.handle_cases

    @property
    def view_dashboard(self) -> bool:
        """数据看板: the region offices, village to province, each over its own subtree."""
        return self.handle_cases or self.view_pipeline

    @property
    def view_insurance(self) -> bool:
        """防贫保险 claims, scheme and fund ledger: the county that runs the fund and the insurer that checks."""
        return self.manage_insurance or self.check_insurance


ROLES: dict[Role, RoleSpec] = {
    Role.VILLAGE: RoleSpec("村级", Level.VILLAGE, view_registry=True, edit_registry=True,
                           import_ledger=True, export_ledger=True, unmask=True, handle_cases=True,
                           handle_grievances=True),
    Role.TOWNSHIP: RoleSpec("乡镇", Level.TOWNSHIP, view_registry=True, edit_registry=True,
                            import_ledger=True, export_ledger=True, unmask=True, handle_cases=True,
                            view_pipeline=True, handle_grievances=True, assign_grievances=True,
                            view_grievances=True),
    Role.COUNTY: RoleSpec("县级", Level.COUNTY, view_registry=True, edit_registry=True,
                          import_ledger=True, export_ledger=True, unmask=True, handle_cases=True,
                          manage_policy=True, view_pipeline=True, upload_datasets=True, run_screening=True,
                          handle_grievances=True, assign_grievances=True, view_grievances=True,
                          manage_insurance=True),
    Role.CITY: RoleSpec("市级", Level.CITY, view_registry=True, export_ledger=True, view_pipeline=True,
                        view_grievances=True, supervise=True),
    Role.PROVINCE: RoleSpec("省级", Level.PROVINCE, view_registry=True, export_ledger=True, manage_policy=True,
                            view_pipeline=True, view_grievances=True, supervise=True),
    # Departments and insurers look people up to act on referrals; they never edit the registry.
    Role.DEPARTMENT: RoleSpec("部门", None, view_registry=True, handle_referrals=True, upload_datasets=True),
    Role.INSURER: RoleSpec("保险公司", None, view_registry=True, handle_referrals=True,
                             check_insurance=True),
    # 三员: none of them reads personal data. The system administrator creates and disables accounts and keeps
    # the regions; the security administrator alone changes what an account may do (role, scope) and resets
    # its credentials; the audit administrator reads the audit log.
    Role.SYSADMIN: RoleSpec("系统管理员", None, manage_users=True, manage_regions=True),
    Role.SECADMIN: RoleSpec("安全管理员", None, manage_grants=True),
    Role.AUDITADMIN: RoleSpec("审计管理员", None, read_audit=True),
}

ROLE_CHOICES = [(role.value, spec.label) for role, spec in ROLES.items()]
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})


def spec(role: str) -> RoleSpec:
    return ROLES[Role(role)]


def can(role: str, permission: str) -> bool:
    return bool(getattr(spec(role), permission))


def region_level_ok(role: str, level: Level) -> bool:
    wanted = spec(role).level
    return wanted is None or wanted == level


class DepartmentKind(StrEnum):
    MEDICAL_INSURANCE = "medical_insurance"
    CIVIL_AFFAIRS = "civil_affairs"
    DISABLED_FEDERATION = "disabled_federation"
    HR_SOCIAL_SECURITY = "hr_social_security"
    EDUCATION = "education"
    HOUSING = "housing"
    EMERGENCY = "emergency"
    PUBLIC_SECURITY = "public_security"
    WATER = "water"


DEPARTMENT_KIND_CHOICES = [
    (DepartmentKind.MEDICAL_INSURANCE.value, "医保局"),
    (DepartmentKind.CIVIL_AFFAIRS.value, "民政局"),
    (DepartmentKind.DISABLED_FEDERATION.value, "残联"),
    (DepartmentKind.HR_SOCIAL_SECURITY.value, "人社局"),
    (DepartmentKind.EDUCATION.value, "教育局"),
    (DepartmentKind.HOUSING.value, "住建局"),
    (DepartmentKind.EMERGENCY.value, "应急管理局"),
    (DepartmentKind.PUBLIC_SECURITY.value, "公安局"),
    (DepartmentKind.WATER.value, "水利局"),
]
