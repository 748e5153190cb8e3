"""What the reconstructed China Daily pages say: invented but plausible articles and photo pages."""

from __future__ import annotations

from tools.mirror.model import CdArticle, Figure

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
