from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangpin.audit.services import record_system_event
from fangpin.regions.services import BUNDLED_HEBEI, RegionLoadError, load_regions, read_region_files


class Command(BaseCommand):
    help = "加载统计用区划代码（CSV：code,name[,level]；或 china-division 的 provinces/cities/areas/streets/villages 文件）"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="CSV 或 CSV.gz 文件；不给则加载随包附带的河北省（13）区划")
        parser.add_argument("--keep-missing", action="store_true", help="不把清单中没有的单位标记为已撤销")

    def handle(self, *args, paths=(), keep_missing=False, **options):
        files = [Path(p) for p in paths] or [BUNDLED_HEBEI]
        try:
            rows = read_region_files(files)
            result = load_regions(rows, retire_missing=not keep_missing)
        except RegionLoadError as exc:
            raise CommandError("\n".join(exc.errors[:50])) from None
        record_system_event("regions.load", detail={"files": [f.name for f in files], **vars(result)})
        self.stdout.write(
            f"区划加载完成：新增 {result.added}，改名 {result.renamed}，恢复 {result.revived}，"
            f"撤销 {result.retired}，未变 {result.unchanged}"
        )
