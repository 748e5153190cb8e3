"""What the reconstructed mirror pages say: invented but plausible articles, lists and routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CdTemplate = Literal["current-en", "legacy-en", "legacy-zh-gb"]


@dataclass(frozen=True)
class Figure:
    """A body image: caption as the reader sees it and the credit printed with it."""

    src: str
    caption: str
    credit: str


@dataclass(frozen=True)
class CdArticle:
    """One reconstructed China Daily article page."""

    url: str  # canonical https URL
    article_id: str
    template: CdTemplate
    title: str
    description: str
    byline: str  # the part of the info line before the outlet, "" when there is none
    authors: tuple[str, ...]  # normal case, as the record wants them
    source: str
    updated: str  # "YYYY-MM-DD HH:MM"
    section: tuple[tuple[str, str], ...]  # breadcrumb (label, path) after Home
    paragraphs: tuple[str, ...]
    figure: Figure | None = None
    editor: str = "王鑫"
    catalog: str = "59b8d010a3108c54ed7dfc3a"
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GtArticle:
    """One reconstructed Global Times article page."""

    article_id: str
    month: str  # "YYYYMM" of /page/ URLs; "" for legacy /content/ pages
    title: str
    subtitle: str
    authors: tuple[str, ...]
    source: str  # "Global Times" or what "Source:" prints
    published: str  # "YYYY-MM-DD HH:MM:SS" Beijing time
    column: tuple[tuple[str, str], ...]  # (LABEL, section path)
    paragraphs: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    figure: Figure | None = None
    related: tuple[str, ...] = ()  # article ids of the RELATED ARTICLES box
    newspaper_headline: str | None = None
    place: str | None = None  # legacy byline dateline, "By X in Shanghai"
    in_sitemap: bool = True
    excludes: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        """Canonical https URL."""
        if self.month:
            return f"https://www.globaltimes.cn/page/{self.month}/{self.article_id}.shtml"
        return f"https://www.globaltimes.cn/content/{self.article_id}.shtml"


# ---------------------------------------------------------------------------------------------
# China Daily

CD_SOCIETY = CdArticle(
    url="https://www.chinadaily.com.cn/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html",
    article_id="WS6ab45b94a3107a2e1d4f5c21",
    template="current-en",
    title="Community canteens serve up affordable meals for seniors",
    description="Neighborhood canteens offering subsidized meals to older residents have spread "
    "to more than 80 percent of urban communities in Zhejiang province, local authorities said.",
    byline="By Zhang Yi",
    authors=("Zhang Yi",),
    source="China Daily",
    updated="2026-09-24 07:12",
    section=(("China", "china"), ("Society", "china/society")),
    figure=Figure(
        src="//img2.chinadaily.com.cn/images/202609/24/6ab45b94a3107a2e2c8e1a40.jpeg",
        caption="Residents have lunch at a community canteen in Hangzhou, Zhejiang province, "
        "on Monday.",
        credit="ZHU XINGXIN/CHINA DAILY",
    ),
    paragraphs=(
        "Neighborhood canteens offering subsidized meals to older residents have spread to more "
        "than 80 percent of urban communities in Zhejiang province, local authorities said.",
        "The canteens, most of them run by community service centers together with catering "
        "companies, serve lunch and dinner at prices between 10 and 15 yuan ($1.40 and $2.10) a "
        "meal for residents aged 60 and above. Those older than 80 receive an additional discount.",
        "Chen Meifang, a 74-year-old retiree in Hangzhou's Gongshu district, said she eats lunch "
        "at the canteen near her apartment building four or five times a week.",
        '"My children work in other cities, and cooking for one person is a lot of trouble," she '
        'said. "Here the food is light and fresh, and I can chat with my neighbors."',
        "According to the provincial civil affairs department, the province had more than 6,300 "
        "such canteens and meal service points by the end of August, serving about 320,000 "
        "meals a day.",
        "Some canteens also deliver meals to residents with limited mobility. In Ningbo, "
        "volunteers from local universities help with deliveries on weekends, the department said.",
        "Officials said the next step is to extend the service to rural areas, where the share "
        "of older residents is higher and the population is more scattered.",
        "Experts said the model works best when communities keep prices stable and let residents "
        "take part in deciding menus.",
    ),
    excludes=("ZHU XINGXIN/CHINA DAILY", "Residents have lunch at a community canteen"),
)

CD_MOSCOW = CdArticle(
    url="https://www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html",
    article_id="WS6ab5a918a3107a2e1d4f6a07",
    template="current-en",
    title="Chinese, US delegates meet on sidelines of Moscow energy forum",
    description="Chinese and US energy officials held a working meeting on the sidelines of an "
    "international energy forum in Moscow on Wednesday, discussing market stability and "
    "cooperation on clean technologies.",
    byline="By AN BAIJIE in Moscow and LI XIAOKUN in Beijing",
    authors=("An Baijie", "Li Xiaokun"),
    source="China Daily",
    updated="2026-09-25 06:55",
    section=(("World", "world"), ("China-US", "world/china-us")),
    catalog="59b8d011a3108c54ed7dfc54",
    paragraphs=(
        "Chinese and US energy officials held a working meeting on the sidelines of an "
        "international energy forum in Moscow on Wednesday, discussing market stability and "
        "cooperation on clean technologies.",
        "The meeting, which lasted about two hours, was the first of its kind at the annual "
        "forum, which brings together government officials, company executives and researchers "
        "from more than 60 countries.",
        "A member of the Chinese delegation said both sides exchanged views on oil and gas "
        "supply, the outlook for global demand and the development of energy storage.",
        "\"Communication at the working level helps both sides understand each other's "
        'concerns," said the delegate, who asked not to be named.',
        "In Beijing, Ministry of Foreign Affairs spokesperson Mao Ning said on Thursday that "
        "China is open to dialogue with all parties on energy security and the transition to "
        "cleaner energy.",
        "Analysts said that energy remains an area where the world's two largest economies have "
        "shared interests despite their differences.",
        "Zhang Wei, a researcher at the Chinese Academy of Social Sciences, said stable energy "
        "markets benefit producers and consumers alike, and that regular exchanges can reduce "
        "misjudgment.",
    ),
)

CD_WASHINGTON = CdArticle(
    url="https://www.chinadaily.com.cn/a/202609/24/WS6ab47c28a3107a2e1d4f5d3e.html",
    article_id="WS6ab47c28a3107a2e1d4f5d3e",
    template="current-en",
    title="US farm exporters look to autumn trade fair in Shanghai",
    description="Dozens of US agricultural producers and trade groups have signed up for an "
    "autumn food and agriculture fair in Shanghai, hoping to expand sales to Chinese buyers.",
    byline="By GAO JIAYUE in Washington",
    authors=("Gao Jiayue",),
    source="China Daily",
    updated="2026-09-24 09:31",
    section=(("World", "world"), ("China-US", "world/china-us")),
    catalog="59b8d011a3108c54ed7dfc54",
    paragraphs=(
        "Dozens of US agricultural producers and trade groups have signed up for an autumn food "
        "and agriculture fair in Shanghai, hoping to expand sales to Chinese buyers.",
        "Organizers said more than 40 exhibitors from 18 US states will take part in the fair, "
        "which opens on Oct 20, with products ranging from sorghum and soybeans to nuts, dairy "
        "and frozen beef.",
        '"China is one of our most important markets, and we want to meet customers face to '
        'face," said Mark Ellison, who runs a family farm in Iowa and plans to attend.',
        "According to US Department of Agriculture data, agricultural exports to China in the "
        "first seven months of the year were roughly level with the same period last year.",
        "Trade experts in Washington said steady demand from Chinese food processors and "
        "restaurants has helped exporters plan ahead.",
        "Exhibitors said they also want to learn more about Chinese consumer trends, including "
        "the growing demand for ready-to-cook products sold through online platforms.",
    ),
)

CD_XINHUA = CdArticle(
    url="https://www.chinadaily.com.cn/a/202609/27/WS6ab878a0a3107a2e1d4f8b92.html",
    article_id="WS6ab878a0a3107a2e1d4f8b92",
    template="current-en",
    title="Industrial profits up 4.1% in first eight months",
    description="Profits of China's major industrial firms rose 4.1 percent year-on-year in the "
    "first eight months, the National Bureau of Statistics said on Saturday.",
    byline="",
    authors=(),
    source="Xinhua",
    updated="2026-09-27 10:05",
    section=(("Business", "business"), ("Economy", "business/economy")),
    catalog="59b8d010a3108c54ed7dfc52",
    paragraphs=(
        "BEIJING - Profits of China's major industrial firms rose 4.1 percent year-on-year in "
        "the first eight months, the National Bureau of Statistics said on Saturday.",
        "Industrial firms with annual main business revenue of at least 20 million yuan "
        "($2.8 million) earned a combined 4.82 trillion yuan in profits during the period, "
        "according to the bureau.",
        "In August alone, profits grew 6.3 percent from a year earlier, faster than the 3.5 "
        "percent increase recorded in July.",
        "Profits in the high-tech manufacturing sector rose 9.8 percent in the January-August "
        "period, with equipment manufacturing also posting solid growth, the data showed.",
        "A statistician with the bureau said that the recovery of market demand and a series of "
        "policies to support the real economy contributed to the improvement.",
    ),
)

CD_EDITORIAL = CdArticle(
    url="https://www.chinadaily.com.cn/a/202609/23/WS6ab3c558a3107a2e1d4f4f10.html",
    article_id="WS6ab3c558a3107a2e1d4f4f10",
    template="current-en",
    title="Regular dialogue keeps trade ties on an even keel",
    description="The resumption of regular working-level trade consultations is a welcome sign "
    "that both sides value predictability.",
    byline="",
    authors=(),
    source="China Daily",
    updated="2026-09-23 20:31",
    section=(("Opinion", "opinion"), ("Editorials", "opinion/editorials")),
    catalog="59b8d010a3108c54ed7dfc47",
    paragraphs=(
        "The resumption of regular working-level trade consultations is a welcome sign that "
        "both sides value predictability in one of the world's most important economic "
        "relationships.",
        "Businesses on both sides of the Pacific have long called for stable rules. Farmers, "
        "manufacturers and retailers make plans months in advance, and sudden changes in tariffs "
        "or licensing requirements raise costs that are eventually passed on to consumers.",
        "Regular dialogue does not mean that all differences will disappear. But it provides a "
        "channel through which problems can be identified early and handled before they grow.",
        "Experience shows that when the two sides talk, trade tends to recover. The figures for "
        "the first eight months of this year show that bilateral trade in goods has stabilized "
        "after a difficult period.",
        "Both governments should build on this momentum, keep the channels open and give "
        "companies the confidence they need to invest.",
    ),
)

CD_LEGACY_EUROPE = CdArticle(
    url="https://europe.chinadaily.com.cn/world/2017-07/07/content_30037478.htm",
    article_id="content_30037478",
    template="legacy-en",
    title="G20 leaders gather in Hamburg as trade tops agenda",
    description="Leaders of the world's major economies began arriving in Hamburg on Thursday "
    "for a two-day G20 summit at which trade and climate are expected to dominate discussions.",
    byline="By ZHOU LEI in London and HE YUAN in Hamburg",
    authors=("Zhou Lei", "He Yuan"),
    source="China Daily UK",
    updated="2017-07-07 08:17",
    section=(("Europe", "world"),),
    figure=Figure(
        src="//europe.chinadaily.com.cn/img/attachement/jpg/site1/20170707/a41f726b0c3f1ac2d62c01.jpg",
        caption="Police officers stand guard near the venue of the G20 summit in Hamburg, "
        "Germany, July 6, 2017.",
        credit="[Photo/Agencies]",
    ),
    paragraphs=(
        "Leaders of the world's major economies began arriving in Hamburg on Thursday for a "
        "two-day G20 summit at which trade and climate are expected to dominate discussions.",
        "The German port city has been preparing for months, with more than 15,000 police "
        "officers deployed to secure the venue and the routes used by delegations.",
        "Economists in London said the summit comes at a time when the global recovery is "
        "gaining strength but remains uneven across regions.",
        '"The G20 was created to coordinate policy in difficult times, and open trade is the '
        'issue on which coordination matters most," said Richard Hale, a senior fellow at a '
        "London-based research institute.",
        "Chinese officials have said that China will work with other members to promote an open "
        "world economy and support the multilateral trading system.",
        "Business groups in Britain and Germany said they hope the summit will send a clear "
        "signal against protectionism.",
    ),
    excludes=("[Photo/Agencies]", "Police officers stand guard"),
)

CD_LEGACY_WWW = CdArticle(
    url="https://www.chinadaily.com.cn/china/2017-01/13/content_27943492.htm",
    article_id="content_27943492",
    template="legacy-en",
    title="Courts speed up wage arrears cases before Spring Festival",
    description="Courts across China have been told to handle cases involving unpaid wages for "
    "migrant workers as a priority ahead of the Spring Festival holiday.",
    byline="By Shi Yuxin",
    authors=("Shi Yuxin",),
    source="China Daily",
    updated="2017-01-13 07:34",
    section=(("China", "china"),),
    paragraphs=(
        "Courts across China have been told to handle cases involving unpaid wages for migrant "
        "workers as a priority ahead of the Spring Festival holiday, which starts on Jan 27.",
        "A notice issued by the Supreme People's Court on Thursday said that courts should open "
        "fast-track channels for such cases, reduce or waive litigation fees for workers with "
        "financial difficulties and speed up the enforcement of judgments.",
        "Most wage arrears disputes involve construction projects, where payment is often "
        "delayed as it passes through several layers of subcontractors, the notice said.",
        "In Beijing, a district court said it had concluded more than 300 such cases since "
        "December, helping workers recover about 12 million yuan.",
        '"Workers want to go home for the holiday with their pay in their pockets," said a judge '
        'at the court. "We try to mediate first, because it is faster for everyone."',
    ),
)

CD_LEGACY_ZH_GB = CdArticle(
    url="https://cn.chinadaily.com.cn/2014-03/05/content_17323881.htm",
    article_id="content_17323881",
    template="legacy-zh-gb",
    title="北京今年将新增公共自行车一万辆",
    description="记者从北京市交通委获悉，今年北京将新增公共自行车一万辆，并在地铁站周边增设租赁点。",
    byline="",
    authors=(),
    source="中国日报网",
    updated="2014-03-05 09:12",
    section=(("资讯", "cn"),),
    editor="李明",
    paragraphs=(
        "记者从北京市交通委获悉，今年北京将新增公共自行车一万辆，并在地铁站周边增设租赁点，"
        "方便市民解决出行“最后一公里”问题。",
        "据介绍，新增的公共自行车将主要投放在东城、西城、朝阳和海淀等城区，"
        "优先覆盖地铁站、公交枢纽和大型居住区。",
        "目前，北京公共自行车租赁点已超过六百个，注册用户约二十万人。"
        "市交通委有关负责人表示，今年还将推进一卡通租车，简化办卡手续。",
        "不少市民对此表示欢迎。在朝阳区上班的王女士说：“从地铁站到单位有两公里，"
        "骑车比等公交车方便多了。”",
    ),
)

CD_ARTICLES: tuple[CdArticle, ...] = (
    CD_SOCIETY,
    CD_MOSCOW,
    CD_WASHINGTON,
    CD_XINHUA,
    CD_EDITORIAL,
    CD_LEGACY_EUROPE,
    CD_LEGACY_WWW,
    CD_LEGACY_ZH_GB,
)

# The soft-404: an article-style URL the site answers 200 with a "page not found" body.
CD_SOFT_404_URL = "https://www.chinadaily.com.cn/a/202609/23/WS6ab38f34a3107a2e1d4f4a6c.html"
CD_SOFT_404_LIST_TITLE = "Volunteers help elderly residents learn to use smartphones"
# An old-style URL that 301s to the Xinhua story.
CD_REDIRECT_FROM = "https://www.chinadaily.com.cn/business/2026-09/27/content_41523367.htm"

# The real pages, as the manifest describes them.
CD_REAL_FITNESS = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
CD_REAL_PHOTO = "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html"
CD_REAL_ZH = "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html"

# Photo story pages 2-6 (page 1 is real): one picture and its caption each.
CD_PHOTO_PAGES: tuple[Figure, ...] = (
    Figure(
        src="//img2.chinadaily.com.cn/images/202405/20/664af0b2a31082fc2b6e552e.jpeg",
        caption="Villagers walk past a golden nanmu tree more than 1,000 years old in Youyang "
        "county, Chongqing, on May 16.",
        credit="[Photo by Su Zhigang/For chinadaily.com.cn]",
    ),
    Figure(
        src="//img2.chinadaily.com.cn/images/202405/20/664af0b2a31082fc2b6e5530.jpeg",
        caption="A stone path leads through the Nanmu Bay scenic spot in Youyang county, "
        "Chongqing.",
        credit="[Photo by Su Zhigang/For chinadaily.com.cn]",
    ),
    Figure(
        src="//img2.chinadaily.com.cn/images/202405/20/664af0b2a31082fc2b6e5532.jpeg",
        caption="A signboard gives the age and height of one of the oldest golden nanmu trees "
        "in the village.",
        credit="[Photo by Su Zhigang/For chinadaily.com.cn]",
    ),
    Figure(
        src="//img2.chinadaily.com.cn/images/202405/20/664af0b2a31082fc2b6e5534.jpeg",
        caption="Tourists take pictures under the canopy of golden nanmu trees in Youyang county.",
        credit="[Photo by Su Zhigang/For chinadaily.com.cn]",
    ),
    Figure(
        src="//img2.chinadaily.com.cn/images/202405/20/664af0b2a31082fc2b6e5536.jpeg",
        caption="An aerial view of the village surrounded by golden nanmu trees in Youyang "
        "county, Chongqing.",
        credit="[Photo by Su Zhigang/For chinadaily.com.cn]",
    ),
)

# ---------------------------------------------------------------------------------------------
# Global Times

GT_TOURISM = GtArticle(
    article_id="1371581",
    month="202609",
    title="Autumn tourism bookings surge ahead of National Day holiday",
    subtitle="Rural destinations and short-haul trips lead demand, platforms say",
    authors=("Qian Jiayin",),
    source="Global Times",
    published="2026-09-25 07:48:03",
    column=(("CHINA", "china"), ("SOCIETY", "china/society")),
    keywords=("National Day", "tourism", "holiday"),
    figure=Figure(
        src="https://www.globaltimes.cn/Portals/0/attachment/2026/2026-09-25/5c1e8a3f-2b7d-4e61-9c0a-7d3f2e6b9a41.jpeg",
        caption="Tourists visit a scenic area in Zhangjiajie, Central China's Hunan Province, "
        "on September 21, 2026.",
        credit="Photo: VCG",
    ),
    related=("1371539", "1371412"),
    newspaper_headline="Holiday bookings surge",
    paragraphs=(
        "Bookings for trips during the upcoming National Day holiday have risen sharply, with "
        "rural destinations and short-haul trips leading demand, according to several online "
        "travel platforms.",
        "Data from one major platform showed that hotel bookings for the eight-day holiday "
        "starting on October 1 were up about 20 percent compared with the same period last year "
        "as of Wednesday.",
        "Small cities and county-level destinations saw the fastest growth, as travelers looked "
        "for less crowded places and local experiences such as farm stays and harvest festivals.",
        '"Many families now prefer to drive two or three hours to the countryside rather than '
        'join the crowds at famous scenic spots," a Beijing-based industry analyst told the '
        "Global Times on Thursday.",
        "Inbound tourism has also picked up, with bookings by foreign visitors for the holiday "
        "period roughly doubling from a year earlier, helped by visa-free policies.",
        "Local governments have issued guidelines on ticket reservations and crowd control, and "
        "several scenic areas said they would extend their opening hours.",
    ),
    excludes=("Photo: VCG", "RELATED ARTICLES", "Newspaper headline", "Tourists visit a scenic"),
)

GT_VOLUNTEERS = GtArticle(
    article_id="1371539",
    month="202609",
    title="Volunteer teams prepare for holiday travel rush at railway stations",
    subtitle="More than 5,000 volunteers to assist passengers in Beijing",
    authors=("Chen Xi", "Li Hao"),
    source="Global Times",
    published="2026-09-24 22:41:06",
    column=(("CHINA", "china"), ("SOCIETY", "china/society")),
    keywords=("railway", "volunteers", "travel rush"),
    paragraphs=(
        "More than 5,000 volunteers will help passengers at Beijing's major railway stations "
        "during the National Day holiday travel rush, local authorities said on Thursday.",
        "The volunteers, most of them university students and retired railway employees, will "
        "guide passengers, help older travelers and people with disabilities, and answer "
        "questions about ticketing.",
        "China's railway operator expects about 190 million passenger trips during the holiday "
        "period, and will add hundreds of extra trains on busy routes.",
        '"Every year we see many older passengers who are not used to buying tickets online," '
        'said a volunteer team leader at Beijing West Railway Station. "We are here to make '
        'their trip easier."',
        "Stations have also opened more manual ticket windows and set up waiting areas for "
        "families with small children.",
    ),
)

GT_SCITECH = GtArticle(
    article_id="1371412",
    month="202609",
    title="Chinese researchers develop low-cost sensor for crop disease detection",
    subtitle="Device can identify common wheat diseases within minutes",
    authors=("Zhang Ruiqi",),
    source="Global Times",
    published="2026-09-23 21:16:05",
    column=(("CHINA", "china"), ("SCIENCE", "china/scitech")),
    keywords=("agriculture", "sensor", "technology"),
    in_sitemap=False,
    paragraphs=(
        "Chinese researchers have developed a low-cost portable sensor that can identify common "
        "wheat diseases within minutes, which could help farmers reduce pesticide use.",
        "The device, about the size of a mobile phone, analyzes samples of leaves and reports "
        "the result through a smartphone app, the research team said.",
        "Field tests in Henan and Shandong provinces showed that the sensor correctly identified "
        "three common diseases in more than 90 percent of cases.",
        "The team said it aims to bring the cost below 500 yuan so that cooperatives and small "
        "farms can afford it.",
        "Experts said early detection allows farmers to treat only the affected fields, saving "
        "money and reducing the impact on the environment.",
    ),
)

GT_XINHUA = GtArticle(
    article_id="1371467",
    month="202609",
    title="ASEAN, China agree to deepen cooperation in digital economy",
    subtitle="",
    authors=(),
    source="Xinhua",
    published="2026-09-24 10:52:30",
    column=(("WORLD", "world"), ("ASIA-PACIFIC", "world/asia-pacific")),
    keywords=("ASEAN", "digital economy"),
    figure=Figure(
        src="https://www.globaltimes.cn/Portals/0/attachment/2026/2026-09-24/0b9d4e2c-6f31-4c8a-a5e2-3c1f9b7d2e55.jpeg",
        caption="",
        credit="Photo: Xinhua",
    ),
    paragraphs=(
        "Officials from China and member states of the Association of Southeast Asian Nations "
        "(ASEAN) agreed on Tuesday to deepen cooperation in the digital economy, including "
        "cross-border e-commerce and data infrastructure.",
        "The agreement was reached at a ministerial meeting held in Kuala Lumpur, Malaysia, "
        "according to a joint statement released after the meeting.",
        "Both sides pledged to improve the connectivity of digital networks, support small and "
        "medium-sized enterprises in going online, and strengthen cooperation in training.",
        "China has been ASEAN's largest trading partner for many years, and digital trade has "
        "become a fast-growing part of their economic ties.",
    ),
    excludes=("Photo: Xinhua",),
)

GT_VIEWPOINT = GtArticle(
    article_id="1371503",
    month="202609",
    title="Rural revitalization needs patient capital and local talent",
    subtitle="",
    authors=("Song Lian",),
    source="Global Times",
    published="2026-09-24 18:30:12",
    column=(("OPINION", "opinion"), ("VIEWPOINT", "opinion/viewpoint")),
    keywords=("rural revitalization", "investment"),
    paragraphs=(
        "As the autumn harvest gets under way, the question of how to keep rural areas vibrant "
        "is once again in the spotlight.",
        "Over the past decade, infrastructure in the countryside has improved markedly. Roads, "
        "broadband and logistics networks now reach most villages, making it possible for "
        "farmers to sell directly to consumers in cities.",
        "But infrastructure alone is not enough. Rural industries need investment that is "
        "willing to wait several years for a return, and people who understand both local "
        "conditions and modern markets.",
        "Some local governments have started to offer housing and start-up support to young "
        "people who return to their hometowns. Such policies deserve to be evaluated and, where "
        "they work, expanded.",
        "The author is a commentator on economic affairs. opinion@globaltimes.com.cn",
    ),
    excludes=("opinion@globaltimes.com.cn",),
)

GT_WORLD = GtArticle(
    article_id="1371612",
    month="202609",
    title="Latin American exporters eye new routes to Asian markets",
    subtitle="Shipping links and port investment draw business interest",
    authors=("Liang Rui",),
    source="Global Times",
    published="2026-09-25 11:05:47",
    column=(("WORLD", "world"), ("AMERICAS", "world/americas")),
    keywords=("trade", "Latin America", "shipping"),
    figure=Figure(
        src="https://www.globaltimes.cn/Portals/0/attachment/2026/2026-09-25/8e2a6c1d-3b9f-4d07-b1e4-5a8c0f2d7b63.jpeg",
        caption="Containers are stacked at a port in Chancay, Peru, on September 18, 2026.",
        credit="Photo: AFP",
    ),
    related=("1371467",),
    paragraphs=(
        "Exporters in Latin America are looking at new shipping routes to reach Asian markets "
        "faster, as port investment on the Pacific coast shortens transit times.",
        "Business groups in Peru and Chile said new direct services have cut the journey to "
        "Chinese ports by up to 10 days for some goods, including fruit, seafood and copper.",
        '"Faster routes mean fresher products and lower costs," said the head of a Peruvian '
        "fruit exporters' association.",
        "Chinese experts said the trend reflects growing complementarity between the two "
        "regions, and that more exchanges between companies are expected.",
    ),
    excludes=("Photo: AFP", "RELATED ARTICLES", "Containers are stacked"),
)

GT_LEGACY_XIPLOMACY = GtArticle(
    article_id="1094642",
    month="",
    title="Five years on, Xiplomacy is reshaping China's global role for a better world",
    subtitle="",
    authors=("Cui Fandi",),
    source="Global Times",
    published="2018-03-21 21:23:40",
    column=(("CHINA", "china"), ("DIPLOMACY", "china/diplomacy")),
    in_sitemap=False,
    paragraphs=(
        "Over the past five years, Chinese President Xi Jinping has visited 57 countries and "
        "received more than 110 foreign heads of state.",
        "Analysts said the frequency of high-level exchanges reflects China's growing "
        "engagement with the rest of the world and its interest in a stable international "
        "environment for development.",
        "The Belt and Road initiative, proposed in 2013, has become a major platform for "
        "cooperation, with more than 80 countries and international organizations signing "
        "cooperation agreements.",
        "Observers noted that China has also played a more active role in multilateral "
        "institutions, including the United Nations and the G20.",
        "Experts said the coming years will test how China balances its domestic priorities "
        "with its expanding international responsibilities.",
    ),
)

GT_LEGACY_HUKOU = GtArticle(
    article_id="1094613",
    month="",
    title="Shanghai issues new policy against dual citizenship",
    subtitle="",
    authors=("Tao Mingyang",),
    source="Global Times",
    published="2018-03-21 19:58:11",
    column=(("CHINA", "china"), ("SOCIETY", "china/society")),
    place="Shanghai",
    in_sitemap=False,
    paragraphs=(
        "Shanghai's new policy on the household registration permit, or hukou, empowers police "
        "to cancel the hukou of citizens who acquire a foreign nationality, local authorities "
        "said.",
        "China's Nationality Law does not recognize dual nationality. Under the new rules, "
        "residents who have settled abroad and obtained foreign citizenship are required to "
        "cancel their hukou.",
        "An observer said the policy targets dual citizenship issues and will help the "
        "government manage public services and records more accurately.",
        "Officials said residents affected by the change can consult local police stations, "
        "and that the procedures will be made available online.",
    ),
)

GT_ARTICLES: tuple[GtArticle, ...] = (
    GT_TOURISM,
    GT_VOLUNTEERS,
    GT_SCITECH,
    GT_XINHUA,
    GT_VIEWPOINT,
    GT_WORLD,
    GT_LEGACY_XIPLOMACY,
    GT_LEGACY_HUKOU,
)

# Global Times section index pages: section path -> (heading, article ids, newest first). One
# page per default section of spiders/globaltimes.py; the mirror has too few stories to give
# each section its own, so some are listed in more than one section (see SOURCES.md).
# 1371539 is on no section page, only in the sitemap (as a story of a section no default
# start page covers would be).
GT_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "china": ("CHINA", ("1371581", "1371412")),
    "opinion": ("OPINION", ("1371503",)),
    "source": ("SOURCE", ("1371612", "1371412")),
    "world": ("WORLD", ("1371612", "1371467")),
    "business": ("BUSINESS", ("1371612", "1371467")),
    "life": ("LIFE", ("1371581",)),
    "sport": ("SPORT", ("1371581",)),
}
# Older items at the end of a section's "MORE" list only (not in its top blocks): the two
# 2018 /content/ articles, so a crawl from the default start pages reaches the old template.
GT_SECTION_OLDER: dict[str, tuple[str, ...]] = {"china": ("1094642", "1094613")}
